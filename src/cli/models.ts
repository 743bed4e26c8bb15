// The networks the command-line tools can build, by the name their --model flag takes.
import { referenceCnn, smallResNet, type Engine, type Sequential } from '../index';

export const MODELS = {
  /** The PyTorch MNIST tutorial CNN. */
  reference: (engine: Engine, seed: number) => referenceCnn(engine, { seed }),
  /** The small ResNet: BatchNorm, a residual block, global average pooling, Dropout. */
  'small-resnet': (engine: Engine, seed: number) => smallResNet(engine, { seed }),
} satisfies Record<string, (engine: Engine, seed: number) => Sequential>;

export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];
