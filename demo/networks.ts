// The networks the demo can train: the reference CNN (the PyTorch tutorial's) and the small ResNet, each with
// the layer whose output the embedding map shows (the input of the final Linear layer). Both adapt to the
// data: its [channels, height, width] and its number of classes (MNIST's 1 × 28 × 28 and 10 by default).
import { referenceCnn, smallResNet, type Engine, type Sequential } from '../src/index';

export interface NetworkShape {
  inputShape?: readonly number[];
  classes?: number;
}

export const NETWORKS = {
  reference: { title: 'Reference CNN (PyTorch tutorial)', build: (engine: Engine, seed: number, shape: NetworkShape = {}) => referenceCnn(engine, { seed, ...shape }), mapLayer: 'flatten' },
  'small-resnet': { title: 'Small ResNet (BatchNorm, residual block)', build: (engine: Engine, seed: number, shape: NetworkShape = {}) => smallResNet(engine, { seed, ...shape }), mapLayer: 'head.5' },
} satisfies Record<string, { title: string; build: (engine: Engine, seed: number, shape?: NetworkShape) => Sequential; mapLayer: string }>;

export type NetworkName = keyof typeof NETWORKS;

export function isNetworkName(name: string): name is NetworkName {
  return Object.hasOwn(NETWORKS, name);
}
