// How the benchmark measures this engine, written once for every host: `npm run bench` calls it in Node
// (Dawn) and the benchmark page (bench/) in Chromium, each with its own engine and MNIST arrays.
import type { Mnist } from '../data/mnist';
import { Dataset } from '../data/dataset';
import type { TuningDecision } from '../gpu/autotune';
import type { Engine } from '../gpu/engine';
import type { FitResult } from '../trainer';
import { MODELS, type ModelName } from '../cli/models';
import { CeilingSampler } from '../matmul_ceiling';
import { Adam } from '../optim/adam';
import type { StepsPerSubmit } from '../step_submitter';

export interface EngineBenchOptions {
  /** The network measured (default the reference CNN). */
  model?: ModelName;
  /** fit()'s stepsPerSubmit for the timed steps (default 'auto'); one step per submission is timed beside it. */
  stepsPerSubmit?: StepsPerSubmit;
  /** Timed training steps after the first step and the warm-up. */
  steps: number;
  batchSize: number;
  /** Test images evaluated (batch 500). */
  evalImages: number;
}

/** The host's and the GPU's share of a training step, at one setting of steps per submission. */
export interface DispatchReport {
  /** Steps per submission, on average over the timed steps (groups are cut at epoch ends and log steps). */
  steps_per_submit: number;
  train_samples_per_s: number;
  /** Host (JavaScript) time to record and submit one step. */
  host_submit_ms_per_step: number;
  /** Wall time per step minus the GPU's time for one step recorded as fit() records it: the GPU's idle time per step. */
  gpu_idle_ms_per_step: number;
}

export interface EngineReport {
  adapter: string;
  model: ModelName;
  parameters: number;
  batch_size: number;
  steps: number;
  first_step_seconds: number;
  train_samples_per_s: number;
  train_gflops: number;
  final_loss: number;
  eval_images: number;
  eval_images_per_s: number;
  /** The forward pass's FLOPs per image: evaluation's GFLOP/s is images/s × this. */
  eval_flops_per_image: number;
  /** Latency of predict() on one image, repeated (a drawing pad's path), in milliseconds: median and 95th percentile. */
  predict_ms_p50: number;
  predict_ms_p95: number;
  predict_repeats: number;
  flops_per_sample: number;
  matmul_gflops: number;
  /** The matmul kernel that set the ceiling, and every matmul kernel's GFLOP/s. */
  matmul_kernel: string;
  matmul_kernels: Record<string, number>;
  /** Runs of the fastest kernel, spread through the measurement, that matmul_gflops is the median of. */
  matmul_runs: number;
  /** Their lowest and highest GFLOP/s: how much the machine's load moved during the measurement. */
  matmul_gflops_range: [number, number];
  kernels: Array<{ name: string; ms: number; flops: number; gflops: number; share: number }>;
  /** One training step recorded into one compute pass, as fit() records it, timed on the GPU (median, ms). */
  gpu_step_ms: number;
  /** fit()'s stepsPerSubmit for the timed steps. */
  steps_per_submit_option: StepsPerSubmit;
  /** The timed steps (the figures above), and the same number of steps at one step per submission. */
  dispatch: DispatchReport;
  one_step_per_submit: DispatchReport;
  /** How the kernels were timed: timestamp queries where the adapter has them, else the wall clock. */
  timing: string;
  /** Each kernel's time is its median over this many steps. */
  profile_repeats: number;
  /** Kernel variants chosen for this adapter, measured now or remembered from an earlier run. */
  autotune: TuningDecision[];
  /** Milliseconds spent choosing them (building and timing candidates), summed over the decisions. */
  autotune_ms: number;
}

const WARM_UP_STEPS = 2;
const EVAL_BATCH = 500;
const PROFILE_REPEATS = 5;
const PIXELS = 28 * 28;
const PREDICT_REPEATS = 50;
/** Rounds of the timed steps at each setting of steps per submission, alternating between the two. */
const DISPATCH_ROUNDS = 4;

/** The timed steps cut into DISPATCH_ROUNDS rounds (fewer when there are fewer steps). */
function roundLengths(steps: number): number[] {
  const rounds = Math.min(DISPATCH_ROUNDS, steps);
  return Array.from({ length: rounds }, (_, i) => Math.floor(steps / rounds) + (i < steps % rounds ? 1 : 0));
}

/** Several fits' steps as one: summed counts and times, the last loss. */
function combined(fits: readonly FitResult[], batch: number): FitResult {
  const sum = (key: 'steps' | 'seconds' | 'submissions' | 'submitSeconds') => fits.reduce((a, f) => a + f[key], 0);
  const [steps, seconds] = [sum('steps'), sum('seconds')];
  return {
    steps, seconds, samplesPerSecond: (steps * batch) / seconds, logs: fits.flatMap((f) => f.logs), finalLoss: fits.at(-1)!.finalLoss,
    stopped: false, submissions: sum('submissions'), submitSeconds: sum('submitSeconds'),
  };
}

/** The q-quantile of `values` (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * A network (the reference CNN by default) on `engine`: the first step (pipeline compilation included),
 * steady-state training (wall clock, everything included) at the chosen steps per submission and at one,
 * evaluation, every kernel of a step and the whole step timed on the GPU, and the adapter's matmul ceiling.
 */
export async function measureEngine(engine: Engine, mnist: Mnist, options: EngineBenchOptions): Promise<EngineReport> {
  const { steps, batchSize: batch } = options;
  const modelName = options.model ?? 'reference';
  const stepsPerSubmit = options.stepsPerSubmit ?? 'auto';
  const images = Math.min(mnist.train.count, Math.max(2000, (steps + WARM_UP_STEPS + 1) * batch));
  const evalImages = Math.min(mnist.test.count, options.evalImages);
  const train = Dataset.upload(engine, { samples: mnist.train.images.subarray(0, images * PIXELS), labels: mnist.train.labels.subarray(0, images), sampleShape: [1, 28, 28], name: 'train' });
  const test = Dataset.upload(engine, { samples: mnist.test.images.subarray(0, evalImages * PIXELS), labels: mnist.test.labels.subarray(0, evalImages), sampleShape: [1, 28, 28], name: 'test' });
  const model = MODELS[modelName](engine, { seed: 1 });
  model.compile({ optimizer: new Adam() });
  let ceiling: CeilingSampler | undefined;
  try {
    // First step: pipeline compilation (asynchronous, in parallel) plus one step.
    let started = performance.now();
    await model.fit(train, { batchSize: batch, maxSteps: 1, logEvery: 1e9 });
    const firstStep = (performance.now() - started) / 1000;
    await model.fit(train, { batchSize: batch, maxSteps: WARM_UP_STEPS, logEvery: 1e9 });
    // The ceiling is sampled between the measurements below, so that it sees the same load as they do.
    ceiling = await CeilingSampler.create(engine);
    // Both settings over the same steps, in alternating rounds (which goes first alternates too), so a change
    // in the machine's load during the run weighs on both alike and their ratio holds.
    const singles: FitResult[] = [];
    const grouped: FitResult[] = [];
    for (const [round, length] of roundLengths(steps).entries()) {
      const fit = (stepsPerSubmit: StepsPerSubmit) => model.fit(train, { batchSize: batch, maxSteps: length, logEvery: 1e9, stepsPerSubmit });
      if (round % 2 === 0) singles.push(await fit(1));
      grouped.push(await fit(stepsPerSubmit));
      if (round % 2 === 1) singles.push(await fit(1));
      await ceiling.sample();
    }
    const single = combined(singles, batch);
    const timed = combined(grouped, batch);

    await model.evaluate(test, { batchSize: EVAL_BATCH }); // warm-up: compiles the evaluation plan
    started = performance.now();
    await model.evaluate(test, { batchSize: EVAL_BATCH });
    const evalSeconds = (performance.now() - started) / 1000;
    await ceiling.sample();

    // One image at a time, each a different test image, after a first call that builds the plan.
    await model.predict(mnist.test.images.subarray(0, PIXELS));
    const latencies: number[] = [];
    for (let i = 0; i < PREDICT_REPEATS; i++) {
      started = performance.now();
      await model.predict(mnist.test.images.subarray(i * PIXELS, (i + 1) * PIXELS));
      latencies.push(performance.now() - started);
    }

    const profile = await model.profileTrainingStep(train, { batchSize: batch, repeats: PROFILE_REPEATS });
    const totalMs = profile.times.reduce((a, t) => a + t.ms, 0);
    const flopsPerStep = profile.times.reduce((a, t) => a + t.flops, 0);
    await ceiling.sample();
    const ceilingResult = ceiling.result();
    const dispatch = (fit: FitResult): DispatchReport => ({
      steps_per_submit: fit.steps / fit.submissions,
      train_samples_per_s: fit.samplesPerSecond,
      host_submit_ms_per_step: (1000 * fit.submitSeconds) / fit.steps,
      gpu_idle_ms_per_step: (1000 * fit.seconds) / fit.steps - profile.stepMs,
    });
    return {
      adapter: engine.adapter.label,
      model: modelName,
      parameters: model.parameterCount,
      batch_size: batch,
      steps,
      first_step_seconds: firstStep,
      train_samples_per_s: timed.samplesPerSecond,
      train_gflops: (timed.samplesPerSecond * flopsPerStep) / batch / 1e9,
      final_loss: timed.finalLoss,
      eval_images: test.count,
      eval_images_per_s: test.count / evalSeconds,
      eval_flops_per_image: model.forwardFlops(),
      predict_ms_p50: quantile(latencies, 0.5),
      predict_ms_p95: quantile(latencies, 0.95),
      predict_repeats: PREDICT_REPEATS,
      flops_per_sample: flopsPerStep / batch,
      matmul_gflops: ceilingResult.gflops,
      matmul_kernel: ceilingResult.kernel,
      matmul_kernels: ceilingResult.kernels,
      matmul_runs: ceilingResult.runs,
      matmul_gflops_range: ceilingResult.range,
      kernels: profile.times.map((t) => ({ name: t.name, ms: t.ms, flops: t.flops, gflops: t.flops / (t.ms / 1000) / 1e9, share: t.ms / totalMs })),
      gpu_step_ms: profile.stepMs,
      steps_per_submit_option: stepsPerSubmit,
      dispatch: dispatch(timed),
      one_step_per_submit: dispatch(single),
      timing: profile.method,
      profile_repeats: PROFILE_REPEATS,
      autotune: [...engine.autotune.decisions()],
      autotune_ms: engine.autotune.decisions().reduce((sum, d) => sum + d.tuning_ms, 0),
    };
  } finally {
    ceiling?.dispose();
    await model.dispose();
    train.dispose();
    test.dispose();
  }
}
