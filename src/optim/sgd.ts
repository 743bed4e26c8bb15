// SGD with momentum, as torch.optim.SGD, with parameter groups that override the weight decay per parameter.
import type { BufferGroup } from '../gpu/buffer_group';
import { ConfigError } from '../gpu/errors';
import { BoundOptimizer, finite, Optimizer, type OptimizerBuffers } from './optimizer';
import { checkGroups, weightDecayBuffer, type ParamGroup } from './param_groups';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** Parameters whose weight decay differs, e.g. `[{ params: (p) => p.name.endsWith('.bias'), weightDecay: 0 }]`. */
  groups?: ParamGroup[];
}

export class SGD extends Optimizer {
  readonly kind = 'SGD';
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly groups: readonly ParamGroup[];

  constructor(options: SgdOptions) {
    super();
    this.lr = finite('SGD', 'lr', options.lr, 0, Infinity);
    this.momentum = finite('SGD', 'momentum', options.momentum ?? 0, 0, Infinity);
    this.dampening = finite('SGD', 'dampening', options.dampening ?? 0, 0, Infinity);
    this.weightDecay = finite('SGD', 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
    this.nesterov = options.nesterov ?? false;
    this.groups = checkGroups('SGD', options.groups);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ConfigError('SGD', 'nesterov needs momentum > 0 and dampening 0', `Got momentum ${this.momentum}, dampening ${this.dampening}.`);
    }
  }

  async bind(memory: BufferGroup, { params, grads, count, parameters, rate }: OptimizerBuffers): Promise<BoundOptimizer> {
    const [tick, update] = await Promise.all([memory.engine.kernels.get('sgd', 'tick'), memory.engine.kernels.get('sgd', 'update')]);
    const state = { momentum_buffer: memory.floats('SGD momentum_buffer', count) };
    const weightDecay = weightDecayBuffer(memory, 'SGD weight decay per element', parameters, count, this.weightDecay, this.groups);
    const step = memory.floats('SGD step', 1);
    const uniforms = () => ({
      count, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov ? 1 : 0,
    });
    return new BoundOptimizer(
      this,
      tick.bind(memory, 'SGD tick', { step }),
      update.bind(memory, 'SGD update', { param: params, grad: grads, ...state, weight_decay: weightDecay, step, rate }, uniforms()),
      count,
      uniforms,
      state,
      step,
      [{ name: 'step', type: 'u32' }],
    );
  }
}
