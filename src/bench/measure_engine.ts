// How the benchmark measures this engine, written once for every host: `npm run bench` calls it in Node
// (Dawn) and the benchmark page (bench/) in Chromium, each with its own engine and MNIST arrays.
import type { Mnist } from '../data/mnist';
import { Dataset } from '../data/dataset';
import type { TuningDecision } from '../gpu/autotune';
import type { Engine } from '../gpu/engine';
import { measureMatmulCeiling } from '../matmul_ceiling';
import { Adam } from '../optim/adam';
import { referenceCnn } from '../reference_cnn';

export interface EngineBenchOptions {
  /** Timed training steps after the first step and the warm-up. */
  steps: number;
  batchSize: number;
  /** Test images evaluated (batch 500). */
  evalImages: number;
}

export interface EngineReport {
  adapter: string;
  parameters: number;
  batch_size: number;
  steps: number;
  first_step_seconds: number;
  train_samples_per_s: number;
  train_gflops: number;
  final_loss: number;
  eval_images: number;
  eval_images_per_s: number;
  /** Latency of predict() on one image, repeated (a drawing pad's path), in milliseconds: median and 95th percentile. */
  predict_ms_p50: number;
  predict_ms_p95: number;
  predict_repeats: number;
  flops_per_sample: number;
  matmul_gflops: number;
  /** The matmul kernel that set the ceiling, and every matmul kernel's GFLOP/s. */
  matmul_kernel: string;
  matmul_kernels: Record<string, number>;
  kernels: Array<{ name: string; ms: number; gflops: number; share: number }>;
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

/** The q-quantile of `values` (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * The reference CNN on `engine`: the first step (pipeline compilation included), steady-state training
 * (wall clock, everything included), evaluation, every kernel of a step timed on the GPU, and the
 * adapter's matmul ceiling.
 */
export async function measureEngine(engine: Engine, mnist: Mnist, options: EngineBenchOptions): Promise<EngineReport> {
  const { steps, batchSize: batch } = options;
  const images = Math.min(mnist.train.count, Math.max(2000, (steps + WARM_UP_STEPS + 1) * batch));
  const evalImages = Math.min(mnist.test.count, options.evalImages);
  const train = Dataset.upload(engine, { samples: mnist.train.images.subarray(0, images * PIXELS), labels: mnist.train.labels.subarray(0, images), sampleShape: [1, 28, 28], name: 'train' });
  const test = Dataset.upload(engine, { samples: mnist.test.images.subarray(0, evalImages * PIXELS), labels: mnist.test.labels.subarray(0, evalImages), sampleShape: [1, 28, 28], name: 'test' });
  const model = referenceCnn(engine, { seed: 1 });
  model.compile({ optimizer: new Adam() });
  try {
    // First step: pipeline compilation (asynchronous, in parallel) plus one step.
    let started = performance.now();
    await model.fit(train, { batchSize: batch, maxSteps: 1, logEvery: 1e9 });
    const firstStep = (performance.now() - started) / 1000;
    await model.fit(train, { batchSize: batch, maxSteps: WARM_UP_STEPS, logEvery: 1e9 });
    const timed = await model.fit(train, { batchSize: batch, maxSteps: steps, logEvery: 1e9 });

    await model.evaluate(test, { batchSize: EVAL_BATCH }); // warm-up: compiles the evaluation plan
    started = performance.now();
    await model.evaluate(test, { batchSize: EVAL_BATCH });
    const evalSeconds = (performance.now() - started) / 1000;

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
    const ceiling = await measureMatmulCeiling(engine);
    return {
      adapter: engine.adapter.label,
      parameters: model.parameterCount,
      batch_size: batch,
      steps,
      first_step_seconds: firstStep,
      train_samples_per_s: timed.samplesPerSecond,
      train_gflops: (timed.samplesPerSecond * flopsPerStep) / batch / 1e9,
      final_loss: timed.finalLoss,
      eval_images: test.count,
      eval_images_per_s: test.count / evalSeconds,
      predict_ms_p50: quantile(latencies, 0.5),
      predict_ms_p95: quantile(latencies, 0.95),
      predict_repeats: PREDICT_REPEATS,
      flops_per_sample: flopsPerStep / batch,
      matmul_gflops: ceiling.gflops,
      matmul_kernel: ceiling.kernel,
      matmul_kernels: ceiling.kernels,
      kernels: profile.times.map((t) => ({ name: t.name, ms: t.ms, gflops: t.flops / (t.ms / 1000) / 1e9, share: t.ms / totalMs })),
      timing: profile.method,
      profile_repeats: PROFILE_REPEATS,
      autotune: [...engine.autotune.decisions()],
      autotune_ms: engine.autotune.decisions().reduce((sum, d) => sum + d.tuning_ms, 0),
    };
  } finally {
    await model.dispose();
    train.dispose();
    test.dispose();
  }
}
