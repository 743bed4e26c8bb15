// Learning-rate schedules, as torch.optim.lr_scheduler defines them, stepped after every optimizer step.
// The host computes the whole run's rates in float64 once, when the run starts; the GPU picks the current
// one from the training clock every step (shaders/schedule.wgsl), so no step needs a write from the host.
import type { BufferGroup } from '../gpu/buffer_group';
import { ConfigError } from '../gpu/errors';
import type { BoundKernel, Kernel } from '../gpu/kernel';

export type ScheduleName = 'constant' | 'cosine';
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'cosine'];

export function checkSchedule(where: string, schedule: unknown): ScheduleName {
  if (!SCHEDULES.includes(schedule as ScheduleName)) {
    throw new ConfigError(where, `schedule is ${JSON.stringify(schedule)}`, `schedule must be one of: ${SCHEDULES.join(', ')}.`);
  }
  return schedule as ScheduleName;
}

/**
 * The learning rate of each of a run's `steps` optimizer steps (index k − 1 for the k-th step).
 * cosine: CosineAnnealingLR with T_max = steps and eta_min = 0, i.e. lr·(1 + cos(π·(k − 1)/T_max))/2.
 */
export function learningRates(schedule: ScheduleName, lr: number, steps: number): Float32Array {
  const rates = new Float32Array(steps);
  for (let k = 1; k <= steps; k++) rates[k - 1] = schedule === 'cosine' ? (lr * (1 + Math.cos((Math.PI * (k - 1)) / steps))) / 2 : lr;
  return rates;
}

/** The GPU side: the clock tick and the current rate, bound to the clock and to a rate table for the run. */
export class LearningRate {
  private table: GPUBuffer | undefined;
  private tick: BoundKernel;
  private lookup: BoundKernel | undefined;

  private constructor(
    private readonly memory: BufferGroup,
    private readonly clock: GPUBuffer,
    /** The current step's learning rate (one f32), which the optimizers read. */
    readonly rate: GPUBuffer,
    private readonly kernels: { tick: Kernel; currentRate: Kernel },
  ) {
    this.tick = kernels.tick.bind(memory, 'training clock tick', { clock }, { run_start: 0, steps: 1 });
  }

  static async create(memory: BufferGroup, clock: GPUBuffer): Promise<LearningRate> {
    const [tick, currentRate] = await Promise.all(['tick', 'current_rate'].map((entry) => memory.engine.kernels.get('schedule', entry)));
    const rate = memory.floats('learning rate', 1);
    return new LearningRate(memory, clock, rate, { tick, currentRate });
  }

  /** Sets the run's rates (at the start of a fit; steps then read them from the GPU). */
  prepare(rates: Float32Array, runStart: number): void {
    const engine = this.memory.engine;
    if (!this.table || this.table.size < rates.byteLength) {
      this.table = this.memory.floats('learning-rate table', Math.max(rates.length, 64));
      this.lookup = undefined;
    }
    engine.write(this.table, 0, rates);
    const uniforms = { run_start: runStart, steps: rates.length };
    if (this.lookup) this.lookup.writeUniforms(uniforms);
    else this.lookup = this.kernels.currentRate.bind(this.memory, 'learning rate of this step', { clock: this.clock, rates: this.table, rate: this.rate }, uniforms);
  }

  /** Advances the clock: the first thing a training step records. */
  recordTick(pass: GPUComputePassEncoder): void {
    this.tick.record(pass, 1);
  }

  /** Looks the step's rate up: recorded before the optimizer's update. */
  recordRate(pass: GPUComputePassEncoder): void {
    this.lookup!.record(pass, 1);
  }
}
