// Adam, as torch.optim.Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay as L2 on the gradient), and
// AdamW, as torch.optim.AdamW (the same, but weight decay decoupled: p ← p − lr·wd·p before the update,
// default 0.01). Both take parameter groups that override the weight decay per parameter.
import type { BufferGroup } from '../gpu/buffer_group';
import { BoundOptimizer, finite, Optimizer, type OptimizerBuffers } from './optimizer';
import { checkGroups, weightDecayBuffer, type ParamGroup } from './param_groups';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Parameters whose weight decay differs, e.g. `[{ params: (p) => p.name.endsWith('.bias'), weightDecay: 0 }]`. */
  groups?: ParamGroup[];
}

export class Adam extends Optimizer {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly groups: readonly ParamGroup[];

  constructor(options: AdamOptions = {}, private readonly decoupledWeightDecay = false) {
    super();
    const where = this.kind;
    this.lr = finite(where, 'lr', options.lr ?? 1e-3, 0, Infinity);
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.betas = [finite(where, 'betas[0]', b1, 0, 1), finite(where, 'betas[1]', b2, 0, 1)];
    this.eps = finite(where, 'eps', options.eps ?? 1e-8, 0, Infinity);
    this.weightDecay = finite(where, 'weightDecay', options.weightDecay ?? 0, 0, Infinity);
    this.groups = checkGroups(where, options.groups);
  }

  get kind(): string {
    return this.decoupledWeightDecay ? 'AdamW' : 'Adam';
  }

  async bind(memory: BufferGroup, { params, grads, count, parameters, rate }: OptimizerBuffers): Promise<BoundOptimizer> {
    const [tick, update] = await Promise.all([memory.engine.kernels.get('adam', 'tick'), memory.engine.kernels.get('adam', 'update')]);
    const kind = this.kind;
    const state = { exp_avg: memory.floats(`${kind} exp_avg`, count), exp_avg_sq: memory.floats(`${kind} exp_avg_sq`, count) };
    const weightDecay = weightDecayBuffer(memory, `${kind} weight decay per element`, parameters, count, this.weightDecay, this.groups);
    // { step: u32, beta1_power: f32, beta2_power: f32 }
    const step = memory.floats(`${kind} step`, 4);
    const uniforms = () => ({
      count, beta1: this.betas[0], beta2: this.betas[1], eps: this.eps, decoupled: this.decoupledWeightDecay ? 1 : 0,
    });
    return new BoundOptimizer(
      this,
      tick.bind(memory, `${kind} tick`, { state: step }, uniforms()),
      update.bind(memory, `${kind} update`, { param: params, grad: grads, ...state, weight_decay: weightDecay, state: step, rate }, uniforms()),
      count,
      uniforms,
      state,
      step,
      [{ name: 'step', type: 'u32' }, { name: 'beta1_power', type: 'f32' }, { name: 'beta2_power', type: 'f32' }],
    );
  }
}

/** torch.optim.AdamW: Adam with decoupled weight decay (default 0.01). */
export class AdamW extends Adam {
  constructor(options: AdamOptions = {}) {
    super({ ...options, weightDecay: options.weightDecay ?? 0.01 }, true);
  }
}
