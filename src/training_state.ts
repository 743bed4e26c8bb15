// A model's training state, in one place: the step count, the current run of fit(), the compiled optimizer
// (bound to the model's parameters, with its state buffers), the learning-rate schedule and the training
// clock on the GPU, and the trainers built for each dataset and batch size. The trainer advances it through
// its methods; checkpoints read and restore it here.
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import { ConfigError } from './gpu/errors';
import type { BoundOptimizer, Optimizer } from './optim/optimizer';
import { describeSchedule, LearningRate, learningRates, type Schedule } from './optim/schedule';
import type { TensorEntry } from './tensor_layout';

/** Where a run of fit() stands: enough to continue it exactly (saved in checkpoints). */
export interface TrainingRun {
  seed: number;
  batchSize: number;
  /** Samples in the dataset (so the epochs and their shuffles are the same). */
  samples: number;
  shuffle: boolean;
  /** The model's step count when the run began: the run is at step model.step − startStep. */
  startStep: number;
  /** The learning-rate schedule with its parameters, and the run's length in steps (the cosine's T_max). */
  schedule: Schedule;
  totalSteps: number;
  /** clip_grad_norm_'s max_norm for every step, if the run clips its gradients. */
  clipGradNorm?: number;
  /** fit's augmentation, in the command line's form ("crop=4,flip"), if the run augments its batches. */
  augment?: string;
}

/** What the optimizer binds to: the model's parameters and gradients. */
export interface TrainableBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
  /** Where each parameter lies in params (for parameter groups). */
  parameters: readonly TensorEntry[];
}

interface Compiled {
  optimizer: Promise<BoundOptimizer>;
  schedule: Promise<LearningRate>;
  memory: BufferGroup;
}

export class TrainingState {
  /** Optimizer steps taken so far (submitted to the GPU). */
  step = 0;
  /** The current run of fit(), so `fit({ resume: true })` can continue it. */
  run: TrainingRun | undefined;
  /** struct { step: u32, seed: u32 } on the GPU (see BuildContext.clock). */
  readonly clock: GPUBuffer;
  private compiled: Compiled | undefined;
  /** Built trainers (or anything else bound to the optimizer), keyed by the caller; freed with the optimizer. */
  private readonly bound = new Map<string, Promise<{ dispose(): void }>>();

  constructor(
    private readonly engine: Engine,
    memory: BufferGroup,
    private readonly buffers: TrainableBuffers,
  ) {
    this.clock = memory.createBuffer('training clock', 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  }

  /** Binds `optimizer` to the parameters; its state (moments, step) starts fresh, and what was bound before is freed. */
  compile(optimizer: Optimizer): void {
    void this.release();
    const memory = new BufferGroup(this.engine);
    const schedule = LearningRate.create(memory, this.clock);
    const bound = schedule.then((s) => optimizer.bind(memory, { ...this.buffers, count: this.buffers.params.size / 4, rate: s.rate }));
    bound.catch(() => {}); // surfaced by the next fit()
    this.compiled = { optimizer: bound, schedule, memory };
  }

  get compiledOptimizer(): Promise<BoundOptimizer> | undefined {
    return this.compiled?.optimizer;
  }

  /** The compiled optimizer and schedule, or a ConfigError naming `where`. */
  async requireCompiled(where: string): Promise<{ optimizer: BoundOptimizer; schedule: LearningRate }> {
    if (!this.compiled) throw new ConfigError(where, 'no optimizer', 'Call model.compile({ optimizer: new Adam() }) first.');
    const [optimizer, schedule] = await Promise.all([this.compiled.optimizer, this.compiled.schedule]);
    return { optimizer, schedule };
  }

  /** Something built on the compiled optimizer (a trainer), cached under `key` until the optimizer changes. */
  boundTo<T extends { dispose(): void }>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.bound.get(key) as Promise<T> | undefined;
    if (!value) {
      value = make();
      this.bound.set(key, value);
    }
    return value;
  }

  /**
   * Records a fit() as a new run, or checks it continues the current run (`resume`); returns its first run
   * step. Then sets what the GPU reads per step: the clock (step and seed) and the run's learning rates.
   */
  beginRun(run: Omit<TrainingRun, 'startStep'>, resume: boolean, schedule: LearningRate, lr: number): number {
    const next: TrainingRun = { ...run, startStep: this.step };
    if (resume && this.run) {
      const previous = this.run;
      const describe = (r: TrainingRun) => `seed ${r.seed}, batch size ${r.batchSize}, ${r.samples} samples, shuffle ${r.shuffle}, schedule ${describeSchedule(r.schedule)} over ${r.totalSteps} steps${r.clipGradNorm === undefined ? '' : `, gradients clipped to norm ${r.clipGradNorm}`}${r.augment === undefined ? '' : `, augmentation ${r.augment}`}`;
      if (describe({ ...previous, startStep: 0 }) !== describe({ ...next, startStep: 0 })) {
        throw new ConfigError('Sequential.fit (resume)', `the run being resumed used ${describe(previous)}; this call has ${describe(next)}`, 'Resume with the run\'s settings, epochs and dataset, or fit without resume to start a new run.');
      }
      if (previous.startStep > this.step) {
        throw new ConfigError('Sequential.fit (resume)', `the run began at step ${previous.startStep}, after the model's step ${this.step}`, 'Load a consistent checkpoint.');
      }
      next.startStep = previous.startStep;
    }
    this.run = next;
    this.engine.write(this.clock, 0, new Uint32Array([this.step, next.seed]));
    schedule.prepare(learningRates(next.schedule, lr, next.totalSteps), next.startStep);
    return this.step - next.startStep;
  }

  /** Counts a training step as soon as it is submitted, so a checkpoint taken at any moment matches the GPU's state. */
  stepSubmitted(): void {
    this.step++;
  }

  /** Sets the step and run (from a checkpoint). */
  restore(step: number, run: TrainingRun | undefined): void {
    this.step = step;
    this.run = run;
  }

  /** Frees the optimizer's state and everything bound to it, once they finish building. */
  async release(): Promise<void> {
    const compiled = this.compiled;
    const bound = [...this.bound.values()];
    this.compiled = undefined;
    this.bound.clear();
    for (const b of await Promise.allSettled(bound)) if (b.status === 'fulfilled') b.value.dispose();
    if (compiled) {
      await Promise.allSettled([compiled.optimizer, compiled.schedule]);
      compiled.memory.dispose();
    }
  }
}
