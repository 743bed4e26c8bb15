// Learning-rate schedules, as torch.optim.lr_scheduler defines them, stepped after every optimizer step.
// The host computes the whole run's rates in float64 once, when the run starts; the GPU picks the current
// one from the training clock every step (shaders/schedule.wgsl), so no step needs a write from the host.
import type { BufferGroup } from '../gpu/buffer_group';
import { ConfigError } from '../gpu/errors';
import type { BoundKernel, Kernel } from '../gpu/kernel';
import { finite } from './optimizer';

export type ScheduleName = 'constant' | 'cosine' | 'step' | 'warmup-cosine';
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'cosine', 'step', 'warmup-cosine'];

/** The parameters a schedule may take (each belongs to one schedule; see PARAMETERS). */
export interface ScheduleParameters {
  /** step: StepLR's step_size, in optimizer steps. */
  stepSize?: number;
  /** step: StepLR's gamma (default 0.1). */
  gamma?: number;
  /** warmup-cosine: LinearLR's total_iters, the steps of the linear warm-up. */
  warmupSteps?: number;
  /** warmup-cosine: LinearLR's start_factor, the fraction of lr the first step uses (default 1/3). */
  warmupStartFactor?: number;
}

/** A run's schedule, its parameters checked and defaulted. */
export interface Schedule extends ScheduleParameters {
  name: ScheduleName;
}

/** Each schedule's parameters, with PyTorch's names (as checkpoints record them). */
export const PARAMETERS: Record<ScheduleName, Partial<Record<keyof ScheduleParameters, string>>> = {
  constant: {},
  cosine: {},
  step: { stepSize: 'step_size', gamma: 'gamma' },
  'warmup-cosine': { warmupSteps: 'warmup_steps', warmupStartFactor: 'start_factor' },
};

/** Checks a schedule and its parameters for a run of `steps` optimizer steps, filling PyTorch's defaults. */
export function checkSchedule(where: string, name: unknown, parameters: ScheduleParameters, steps: number): Schedule {
  if (!SCHEDULES.includes(name as ScheduleName)) {
    throw new ConfigError(where, `schedule is ${JSON.stringify(name)}`, `schedule must be one of: ${SCHEDULES.join(', ')}.`);
  }
  const schedule = name as ScheduleName;
  const own = Object.keys(PARAMETERS[schedule]);
  for (const key of Object.keys(parameters) as (keyof ScheduleParameters)[]) {
    if (parameters[key] !== undefined && !own.includes(key)) {
      const owner = SCHEDULES.find((s) => key in PARAMETERS[s]);
      throw new ConfigError(where, `${key} is given with schedule '${schedule}'`, `${key} belongs to schedule '${owner}'.`);
    }
  }
  const count = (key: 'stepSize' | 'warmupSteps', below: number) => {
    const value = parameters[key];
    if (value === undefined || !Number.isInteger(value) || value < 1 || value >= below) {
      throw new ConfigError(where, `${key} is ${value}`, `schedule '${schedule}' needs ${key}, an integer from 1 to ${below - 1}${below === steps ? ` (the run has ${steps} steps)` : ''}.`);
    }
    return value;
  };
  if (schedule === 'step') {
    return { name: schedule, stepSize: count('stepSize', 2 ** 32), gamma: finite(where, 'gamma', parameters.gamma ?? 0.1, 0, Infinity) };
  }
  if (schedule === 'warmup-cosine') {
    // The cosine needs at least one step after the warm-up (its T_max = steps − warmupSteps).
    const warmupSteps = count('warmupSteps', steps);
    const warmupStartFactor = parameters.warmupStartFactor ?? 1 / 3;
    if (!(warmupStartFactor > 0 && warmupStartFactor <= 1)) {
      throw new ConfigError(where, `warmupStartFactor is ${warmupStartFactor}`, 'warmupStartFactor must be in (0, 1].');
    }
    return { name: schedule, warmupSteps, warmupStartFactor };
  }
  return { name: schedule };
}

/** "step (stepSize 3, gamma 0.5)": a schedule and its parameters, for messages. */
export function describeSchedule(schedule: Schedule): string {
  const parameters = Object.keys(PARAMETERS[schedule.name]).map((key) => `${key} ${schedule[key as keyof ScheduleParameters]}`);
  return parameters.length ? `${schedule.name} (${parameters.join(', ')})` : schedule.name;
}

/**
 * The learning rate of each of a run's `steps` optimizer steps (index k − 1 for the k-th step), with e = k − 1
 * the number of scheduler steps before it, as torch.optim.lr_scheduler defines them (closed forms):
 * - constant: lr;
 * - cosine: CosineAnnealingLR(T_max = steps, eta_min = 0): lr·(1 + cos(π·e/T_max))/2;
 * - step: StepLR(step_size, gamma): lr·gamma^⌊e/step_size⌋;
 * - warmup-cosine: SequentialLR([LinearLR(start_factor, end_factor = 1, total_iters = warmupSteps),
 *   CosineAnnealingLR(T_max = steps − warmupSteps, eta_min = 0)], milestones = [warmupSteps]):
 *   lr·(start_factor + (1 − start_factor)·e/warmupSteps) while e < warmupSteps, then the cosine over e − warmupSteps.
 */
export function learningRates(schedule: ScheduleName | Schedule, lr: number, steps: number): Float32Array {
  const s = typeof schedule === 'string' ? checkSchedule('learningRates', schedule, {}, steps) : schedule;
  const cosine = (e: number, tMax: number) => (lr * (1 + Math.cos((Math.PI * e) / tMax))) / 2;
  const rate = (e: number): number => {
    switch (s.name) {
      case 'constant': return lr;
      case 'cosine': return cosine(e, steps);
      case 'step': return lr * s.gamma! ** Math.floor(e / s.stepSize!);
      case 'warmup-cosine': {
        const warmup = s.warmupSteps!;
        const factor = s.warmupStartFactor!;
        return e < warmup ? lr * (factor + ((1 - factor) * e) / warmup) : cosine(e - warmup, steps - warmup);
      }
    }
  };
  return Float32Array.from({ length: steps }, (_, e) => rate(e));
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
