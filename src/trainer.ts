// The scheduler: records one training step (gather batch → forward → loss → backward → update) into a
// command buffer and submits it once per batch. A step creates no buffer, pipeline or bind group and
// reads nothing back; the loss is read only every `logEvery` steps, through a small staging copy.
import { checkAugment, formatAugment, isIdentity, type AugmentOptions } from './data/augment';
import { BatchStream } from './data/batches';
import type { Dataset } from './data/dataset';
import { BufferGroup } from './gpu/buffer_group';
import { ConfigError, KernelError, NonFiniteLossError } from './gpu/errors';
import { positiveInt } from './layers/check';
import { SoftmaxCrossEntropy } from './loss';
import type { Sequential } from './model';
import { checkMaxNorm, GradientClipping } from './optim/clip_grad_norm';
import type { BoundOptimizer } from './optim/optimizer';
import { checkSchedule, learningRates, type LearningRate, type ScheduleName, type ScheduleParameters } from './optim/schedule';
import type { Stage } from './gpu/kernel';
import type { Plan } from './plan';
import { Random } from './random';

export interface TrainingLog {
  epoch: number;
  /** Steps taken by the model so far (1-based). */
  step: number;
  /** The step within its epoch (1-based), of stepsPerEpoch. */
  epochStep: number;
  stepsPerEpoch: number;
  loss: number;
}

export interface Progress {
  epoch: number;
  /** Steps of this fit() submitted so far. */
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  /** Counts finished steps only, so it is not inflated by the steps still queued on the GPU. */
  samplesPerSecond: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface FitOptions extends ScheduleParameters {
  epochs?: number;
  batchSize?: number;
  /** Reshuffle every epoch (default true), from `seed`. */
  shuffle?: boolean;
  seed?: number;
  /** Read the loss back every this many steps (default 50), and at the end. */
  logEvery?: number;
  /** Called with each loss read; training waits for it (so it may evaluate the model). */
  onLog?: (log: TrainingLog) => void | Promise<void>;
  /** Called after each step is submitted, for progress bars. */
  onProgress?: (progress: Progress) => void;
  /** Stops training after the current step. */
  signal?: AbortSignal;
  /** Stops after this many steps, wherever in an epoch that falls (default: all epochs). */
  maxSteps?: number;
  /**
   * Continue the model's current run (model.run, restored by loadCheckpoint) instead of starting a new
   * one: training picks up at step model.step of the run, mid-epoch if need be, with the same shuffled
   * order, and `epochs` counts the whole run's epochs. The seed, batch size, dataset size and shuffle must
   * be the run's (a ConfigError says which differ). Without it (the default) every fit() starts a new run
   * at the first batch of epoch 1.
   */
  resume?: boolean;
  /**
   * The learning-rate schedule over the run, stepped after every optimizer step (see learningRates):
   * 'constant' (default); 'cosine' (PyTorch's CosineAnnealingLR with T_max = the run's steps, epochs × steps
   * per epoch, and eta_min 0); 'step' (StepLR: `stepSize` steps, `gamma` default 0.1); 'warmup-cosine'
   * (LinearLR from `warmupStartFactor`, default 1/3, over `warmupSteps`, then CosineAnnealingLR to 0 over
   * the rest, as SequentialLR chains them).
   */
  schedule?: ScheduleName;
  /**
   * Clips the gradients to this global norm before every optimizer step, as torch.nn.utils.clip_grad_norm_
   * (max_norm; the norm over every gradient element), on the GPU. Default: no clipping.
   */
  clipGradNorm?: number;
  /**
   * Random augmentation of every training batch, on the GPU (see AugmentOptions): torchvision's
   * RandomAffine, then RandomCrop with padding, then RandomHorizontalFlip, drawn per sample from the
   * run's seed and step, so a run (and a resumed run) repeats exactly. Needs samples [C, H, W]. Default:
   * none. evaluate() and predict() never augment.
   */
  augment?: AugmentOptions;
}

export interface FitResult {
  steps: number;
  /** Time training, not counting the time spent in onLog (which may evaluate the model). */
  seconds: number;
  samplesPerSecond: number;
  logs: TrainingLog[];
  finalLoss: number;
  stopped: boolean;
}

/** How many submitted steps may wait on the GPU: enough to keep it busy, few enough to stay responsive. */
const STEPS_IN_FLIGHT = 2;

export class Trainer {
  private constructor(
    private readonly model: Sequential,
    private readonly dataset: Dataset,
    private readonly batch: number,
    private readonly plan: Plan,
    private readonly stream: BatchStream,
    private readonly loss: SoftmaxCrossEntropy,
    private readonly optimizer: BoundOptimizer,
    private readonly schedule: LearningRate,
    private readonly clipping: GradientClipping,
    /** What this trainer allocated (batch order, loss); the plan's buffers belong to the plan. */
    private readonly memory: BufferGroup,
  ) {}

  /** Steps this trainer submitted: the GPU's loss counter counts them, so it maps a count to a model step. */
  private submitted = 0;

  static async create(model: Sequential, dataset: Dataset, batch: number): Promise<Trainer> {
    positiveInt('Sequential.fit', 'batchSize', batch);
    model.checkBatch('Sequential.fit', batch);
    const last = model.layers[model.layers.length - 1];
    if (last.outputsProbabilities) {
      throw new ConfigError('Sequential.fit', `the model ends in ${last.kind} "${last.name}", whose output is probabilities`, 'fit applies softmax cross-entropy to the logits, as nn.CrossEntropyLoss does: train the model without its last layer, then build one with it for predict (the weights load unchanged).');
    }
    const classes = model.checkDataset('Sequential.fit', dataset);
    const { optimizer, schedule } = await model.state.requireCompiled('Sequential.fit');
    if (dataset.count < batch) {
      throw new ConfigError('Sequential.fit', `dataset "${dataset.name}" has ${dataset.count} samples, fewer than one batch of ${batch}`, `Use batchSize ≤ ${dataset.count}.`);
    }
    const plan = await model.plan(batch, true);
    const memory = new BufferGroup(model.engine);
    try {
      const [stream, loss, clipping] = await Promise.all([
        BatchStream.create(memory, dataset, batch, plan.input, plan.labels),
        SoftmaxCrossEntropy.create(memory, 'loss', batch, classes, plan.output.buffer, plan.output.grad!, plan.labels),
        GradientClipping.create(memory, model.grads, model.grads.size / 4),
      ]);
      return new Trainer(model, dataset, batch, plan, stream, loss, optimizer, schedule, clipping, memory);
    } catch (e) {
      memory.dispose();
      throw e;
    }
  }

  dispose(): void {
    this.memory.dispose();
  }

  get stepsPerEpoch(): number {
    return Math.floor(this.dataset.count / this.batch);
  }

  /** Starts from the first batch, in order, at the optimizer's constant learning rate (profiling and benchmarks). */
  rewind(): void {
    this.stream.setOrder(Uint32Array.from({ length: this.dataset.count }, (_, i) => i));
    this.schedule.prepare(learningRates('constant', this.optimizer.optimizer.lr, 1), this.model.step);
  }

  private stepStages: Stage[] | undefined;
  /** The current run's clip_grad_norm_ max_norm, or undefined for no clipping. */
  private maxNorm: number | undefined;

  /** Clips the gradients of the following steps to `maxNorm` (undefined: no clipping); set once per run. */
  private setClipping(maxNorm: number | undefined): void {
    if (maxNorm === this.maxNorm) return;
    if (maxNorm !== undefined) this.clipping.setMaxNorm(maxNorm);
    this.maxNorm = maxNorm;
    this.stepStages = undefined;
  }

  /**
   * One training step, in order: clock, gather, forward, loss, backward, gradient clipping (if the run clips),
   * learning rate, update (listed once, replayed every step).
   */
  stages(): Stage[] {
    this.stepStages ??= [
      { name: 'clock tick', flops: 0, record: (pass) => this.schedule.recordTick(pass) },
      { name: 'gather batch', flops: 0, record: (pass) => this.stream.record(pass) },
      ...this.plan.forwardStages(),
      { name: 'loss', flops: 0, record: (pass) => this.loss.record(pass) },
      ...this.plan.backwardStages(),
      ...(this.maxNorm === undefined ? [] : this.clipping.stages()),
      { name: 'learning rate', flops: 0, record: (pass) => this.schedule.recordRate(pass) },
      { name: 'optimizer', flops: 0, record: (pass) => this.optimizer.record(pass) },
    ];
    return this.stepStages;
  }

  /** Records one step into one compute pass; nothing here allocates GPU memory or reads from the GPU. */
  recordStep(): GPUCommandBuffer {
    const encoder = this.model.engine.device.createCommandEncoder({ label: 'training step' });
    const pass = encoder.beginComputePass({ label: 'training step' });
    for (const stage of this.stages()) stage.record(pass);
    pass.end();
    return encoder.finish();
  }

  async fit(options: FitOptions): Promise<FitResult> {
    const epochs = positiveInt('Sequential.fit', 'epochs', options.epochs ?? 1);
    const logEvery = positiveInt('Sequential.fit', 'logEvery', options.logEvery ?? 50);
    const maxSteps = options.maxSteps === undefined ? Infinity : positiveInt('Sequential.fit', 'maxSteps', options.maxSteps);
    const seed = options.seed ?? 0;
    const shuffle = options.shuffle !== false;
    const maxNorm = options.clipGradNorm === undefined ? undefined : checkMaxNorm('Sequential.fit', options.clipGradNorm);
    const stepsPerEpoch = this.stepsPerEpoch;
    const { stepSize, gamma, warmupSteps, warmupStartFactor } = options;
    const schedule = checkSchedule('Sequential.fit', options.schedule ?? 'constant', { stepSize, gamma, warmupSteps, warmupStartFactor }, epochs * stepsPerEpoch);
    const augment = options.augment === undefined ? undefined : checkAugment('Sequential.fit', options.augment, this.dataset.sampleShape);
    const state = this.model.state;
    this.optimizer.refresh();
    this.setClipping(maxNorm);
    // Where this call starts within its run: 0 for a new run, the run's position when resuming.
    const first = state.beginRun(
      { seed, batchSize: this.batch, samples: this.dataset.count, shuffle, schedule, totalSteps: epochs * stepsPerEpoch, clipGradNorm: maxNorm, augment: augment && !isIdentity(augment) ? formatAugment(augment) : undefined },
      options.resume === true, this.schedule, this.optimizer.optimizer.lr,
    );
    await this.stream.augment(augment, state.clock);
    const engine = this.model.engine;
    const queue = engine.device.queue;
    const totalSteps = Math.min(Math.max(0, epochs * stepsPerEpoch - first), maxSteps);
    // The GPU counts loss evaluations since this trainer was made; model.step may since have been set by a checkpoint.
    const stepBeforeCounter = state.step - this.submitted;
    const logs: TrainingLog[] = [];
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    let steps = 0;
    let finished = 0;
    let stopped = false;
    let callbackSeconds = 0;

    const readLoss = async (runStep: number) => {
      const stats = await this.loss.read();
      if (stats.firstNonFinite) throw new NonFiniteLossError(stepBeforeCounter + stats.firstNonFinite, stats.loss);
      const epochStep = ((runStep - 1) % stepsPerEpoch) + 1;
      const log = { epoch: Math.ceil(runStep / stepsPerEpoch), step: state.step, epochStep, stepsPerEpoch, loss: stats.loss };
      logs.push(log);
      const called = performance.now();
      await options.onLog?.(log);
      callbackSeconds += (performance.now() - called) / 1000;
    };

    training: for (let epoch = Math.floor(first / stepsPerEpoch); steps < totalSteps; epoch++) {
      const order = shuffle ? new Random(epochSeed(seed, epoch)).permutation(this.dataset.count) : Uint32Array.from({ length: this.dataset.count }, (_, i) => i);
      const skip = epoch * stepsPerEpoch < first ? first - epoch * stepsPerEpoch : 0;
      this.stream.setOrder(order, skip * this.batch);
      for (let s = skip; s < stepsPerEpoch && steps < totalSteps; s++) {
        if (options.signal?.aborted) {
          stopped = true;
          break training;
        }
        engine.checkAlive();
        engine.device.pushErrorScope('validation');
        queue.submit([this.recordStep()]);
        // Counted as soon as it is submitted, so a checkpoint taken at any await below matches the GPU's state.
        this.submitted++;
        state.stepSubmitted();
        steps++;
        const rejected = engine.device.popErrorScope();
        const done = Promise.all([rejected, queue.onSubmittedWorkDone()]).then(([error]) => {
          if (error) throw new KernelError('training step', 'validation', error.message);
          finished++;
        });
        done.catch(() => {}); // awaited below; this only keeps Node from reporting it early
        inFlight.push(done);
        if (inFlight.length > STEPS_IN_FLIGHT) await inFlight.shift();
        // Logged at the run's multiples of logEvery, so a resumed run logs where the uninterrupted one did.
        if ((first + steps) % logEvery === 0 || steps === totalSteps) await readLoss(first + steps);
        const elapsed = (performance.now() - started) / 1000 - callbackSeconds;
        options.onProgress?.({
          epoch: epoch + 1, step: steps, totalSteps, stepsPerEpoch, elapsedSeconds: elapsed,
          samplesPerSecond: (finished * this.batch) / elapsed,
          etaSeconds: finished ? (elapsed / finished) * (totalSteps - finished) : NaN,
        });
      }
    }
    for (const done of inFlight) await done;
    if (stopped && steps > 0 && (first + steps) % logEvery !== 0) await readLoss(first + steps);
    engine.checkAlive();
    const seconds = (performance.now() - started) / 1000 - callbackSeconds;
    return { steps, seconds, samplesPerSecond: (steps * this.batch) / seconds, logs, finalLoss: logs.at(-1)?.loss ?? NaN, stopped };
  }
}

/** A different, reproducible shuffle for every epoch of a run. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0;
}
