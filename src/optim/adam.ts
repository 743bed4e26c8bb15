// Adam, as torch.optim.Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay as L2 on the gradient).
import type { BufferGroup } from '../gpu/buffer_group';
import { BoundOptimizer, finite, Optimizer, type OptimizerBuffers } from './optimizer';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly kind = 'Adam';
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(options: AdamOptions = {}) {
    super();
    this.lr = finite('Adam', 'lr', options.lr ?? 1e-3, 0, Infinity);
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.betas = [finite('Adam', 'betas[0]', b1, 0, 1), finite('Adam', 'betas[1]', b2, 0, 1)];
    this.eps = finite('Adam', 'eps', options.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = finite('Adam', 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
  }

  async bind(memory: BufferGroup, { params, grads, count, rate }: OptimizerBuffers): Promise<BoundOptimizer> {
    const [tick, update] = await Promise.all([memory.engine.kernels.get('adam', 'tick'), memory.engine.kernels.get('adam', 'update')]);
    const state = { exp_avg: memory.floats('Adam exp_avg', count), exp_avg_sq: memory.floats('Adam exp_avg_sq', count) };
    // { step: u32, beta1_power: f32, beta2_power: f32 }
    const step = memory.floats('Adam step', 4);
    const uniforms = () => ({
      count, beta1: this.betas[0], beta2: this.betas[1], eps: this.eps, weight_decay: this.weightDecay,
    });
    return new BoundOptimizer(
      this,
      tick.bind(memory, 'Adam tick', { state: step }, uniforms()),
      update.bind(memory, 'Adam update', { param: params, grad: grads, ...state, state: step, rate }, uniforms()),
      count,
      uniforms,
      state,
      step,
      [{ name: 'step', type: 'u32' }, { name: 'beta1_power', type: 'f32' }, { name: 'beta2_power', type: 'f32' }],
    );
  }
}
