// The optimizers the command-line tools can train with, by the name their --optimizer flag takes; each with
// PyTorch's defaults, so --weight-decay left out means torch.optim's default for that optimizer.
import { Adam, AdamW, SGD, type Optimizer } from '../index';

export const OPTIMIZERS = {
  adam: (lr: number, weightDecay?: number) => new Adam({ lr, weightDecay }),
  adamw: (lr: number, weightDecay?: number) => new AdamW({ lr, weightDecay }),
  /** Plain SGD (no momentum), torch.optim.SGD's default. */
  sgd: (lr: number, weightDecay?: number) => new SGD({ lr, weightDecay }),
} satisfies Record<string, (lr: number, weightDecay?: number) => Optimizer>;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];
