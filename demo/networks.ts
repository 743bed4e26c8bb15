// The networks the demo can train: the reference CNN (the PyTorch tutorial's) and the small ResNet, each with
// the layer whose output the embedding map shows (the input of the final Linear layer).
import { referenceCnn, smallResNet, type Engine, type Sequential } from '../src/index';

export const NETWORKS = {
  reference: { title: 'Reference CNN (PyTorch tutorial)', build: (engine: Engine, seed: number) => referenceCnn(engine, { seed }), mapLayer: 'flatten' },
  'small-resnet': { title: 'Small ResNet (BatchNorm, residual block)', build: (engine: Engine, seed: number) => smallResNet(engine, { seed }), mapLayer: 'head.5' },
} satisfies Record<string, { title: string; build: (engine: Engine, seed: number) => Sequential; mapLayer: string }>;

export type NetworkName = keyof typeof NETWORKS;

export function isNetworkName(name: string): name is NetworkName {
  return Object.hasOwn(NETWORKS, name);
}
