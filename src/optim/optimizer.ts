// What every optimizer provides: hyperparameters checked up front, and a build step that binds its
// update kernel to the model's contiguous parameter and gradient buffers, so one dispatch updates all.
import type { BufferGroup } from '../gpu/buffer_group';
import { ConfigError } from '../gpu/errors';
import type { BoundKernel } from '../gpu/kernel';
import type { TensorEntry } from '../tensor_layout';

export interface OptimizerBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
  /** Number of floats in params and grads. */
  count: number;
  /** Where each parameter lies in params (the rest are gaps, whose gradients stay 0), for parameter groups. */
  parameters: readonly TensorEntry[];
  /** The current step's learning rate (one f32), written on the GPU by the schedule before every update. */
  rate: GPUBuffer;
}

/** One field of an optimizer's scalar state buffer (4 bytes each, in order), as its WGSL struct declares it. */
export interface OptimizerScalar {
  name: string;
  type: 'u32' | 'f32';
}

/** An optimizer bound to a model: records its update and owns its state buffers. */
export class BoundOptimizer {
  constructor(
    /** The optimizer this was bound from (its kind and hyperparameters). */
    readonly optimizer: Optimizer,
    private readonly tick: BoundKernel,
    private readonly update: BoundKernel,
    private readonly count: number,
    private readonly uniforms: () => Record<string, number>,
    /** Named state buffers ("exp_avg", …) and the step counter, for checkpoints. */
    readonly state: Record<string, GPUBuffer>,
    readonly step: GPUBuffer,
    /** The fields of `step`: the step count first, then anything else the update keeps (Adam's β^t). */
    readonly scalars: readonly OptimizerScalar[],
  ) {}

  record(pass: GPUComputePassEncoder): void {
    this.tick.record(pass, 1);
    this.update.record(pass, this.count);
  }

  /** Re-uploads the hyperparameters after a change (the learning rate goes through the schedule instead). */
  refresh(): void {
    this.update.writeUniforms(this.uniforms());
  }

  /** The hyperparameters (lr, betas, …), for a checkpoint's record. */
  hyperparameters(): Record<string, number> {
    const { count: _count, ...rest } = this.uniforms();
    return { lr: this.optimizer.lr, weight_decay: this.optimizer.weightDecay, ...rest };
  }
}

export abstract class Optimizer {
  abstract readonly kind: string;
  /** The base learning rate (a schedule scales it); a change takes effect from the next fit(). */
  abstract lr: number;
  /** The default weight decay; parameter groups may override it per parameter. */
  abstract readonly weightDecay: number;
  /** Binds to the model's buffers; state buffers are allocated in `memory`. */
  abstract bind(memory: BufferGroup, buffers: OptimizerBuffers): Promise<BoundOptimizer>;
}

export function finite(where: string, name: string, value: number, low: number, high: number, lowOpen = false): number {
  const ok = Number.isFinite(value) && (lowOpen ? value > low : value >= low) && value < high;
  if (!ok) {
    throw new ConfigError(where, `${name} is ${value}`, `${name} must be a finite number in ${lowOpen ? '(' : '['}${low}, ${high}).`);
  }
  return value;
}

