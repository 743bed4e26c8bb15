// The networks the command-line tools can build, by the name their --model flag takes (and a file's
// webgpu_cnn.network names): each adapts to the data's channels, image size and number of classes.
import { ConfigError, referenceCnn, smallResNet, type Engine, type SavedModelInfo, type Sequential } from '../index';

export interface NetworkOptions {
  seed: number;
  /** [channels, height, width]; default [1, 28, 28] (MNIST). */
  inputShape?: readonly number[];
  /** Default 10. */
  classes?: number;
}

export const MODELS = {
  /** The PyTorch MNIST tutorial CNN. */
  reference: (engine: Engine, options: NetworkOptions) => referenceCnn(engine, options),
  /** The small ResNet: BatchNorm, a residual block, global average pooling, Dropout. */
  'small-resnet': (engine: Engine, options: NetworkOptions) => smallResNet(engine, options),
} satisfies Record<string, (engine: Engine, options: NetworkOptions) => Sequential>;

export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as string[]).includes(name);
}

/** The network a file describes, or the one --model names for a file that describes none. */
export function networkOf(file: string, saved: SavedModelInfo | undefined, flag: ModelName | undefined): ModelName {
  const named = saved?.network;
  if (named === undefined) return flag ?? 'reference';
  if (!isModelName(named)) throw new ConfigError(file, `its network is "${named}", which this command cannot build`, `It builds ${MODEL_NAMES.join(', ')}.`);
  if (flag !== undefined && flag !== named) throw new ConfigError(file, `its network is "${named}", but --model says ${flag}`, `Leave --model out, or give --model ${named}.`);
  return named;
}
