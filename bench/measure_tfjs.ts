// TensorFlow.js training and evaluating the reference network on one of its backends, timed the way a
// TF.js user would run it: one optimizer.minimize per batch, nothing read back until the end of the
// timed steps (await loss.data() is the sync), predict() with batch 500 for evaluation.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu'; // registers the 'webgpu' backend
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Mnist, MnistSplit } from '../src/data/mnist';
import { describeAdapter } from '../src/gpu/engine';
import type { TfjsBackend, TfjsBenchOptions, TfjsReport, Unavailable } from '../src/bench/tfjs_report';
import { tfjsReferenceCnn } from './tfjs_reference_cnn';

const EVAL_BATCH = 500;
const CLASSES = 10;
const PIXELS = 28 * 28;
// The reference recipe's Adam: lr 0.001, betas 0.9 / 0.999, eps 1e-8 (TF.js would otherwise take 1e-7).
const ADAM = [0.001, 0.9, 0.999, 1e-8] as const;

export async function measureTfjs(backend: TfjsBackend, mnist: Mnist, options: TfjsBenchOptions): Promise<TfjsReport | (Unavailable & { backend: TfjsBackend })> {
  const failure = await startBackend(backend);
  if (failure) return { backend, available: false, reason: failure };
  try {
    return await measure(backend, mnist, options);
  } catch (e) {
    return { backend, available: false, reason: `failed while measuring: ${(e as Error).message}` };
  }
}

/**
 * Switches TF.js to `backend`; returns why it could not. TF.js says why a backend failed to start only
 * on the console (setBackend resolves false), so its warnings meanwhile are kept as the reason; a page
 * with no WebGPU adapter is named as such first, where TF.js would only report a TypeError.
 */
async function startBackend(backend: TfjsBackend): Promise<string | undefined> {
  if (backend === 'webgpu' && !(await navigator.gpu?.requestAdapter())) return 'no WebGPU adapter in this browser (navigator.gpu.requestAdapter() gave none)';
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' ').split('\n')[0]);
    warn(...args);
  };
  try {
    if (await tf.setBackend(backend)) return undefined;
    return warnings.join('; ') || `TF.js could not start its ${backend} backend`;
  } catch (e) {
    return (e as Error).message;
  } finally {
    console.warn = warn;
  }
}

/** What runs TF.js's kernels, named as the engine names its adapter where it is a WebGPU one. */
function describeBackend(backend: TfjsBackend): string {
  if (backend === 'webgpu') return describeAdapter((tf.backend() as WebGPUBackend).device.adapterInfo).label;
  if (backend === 'webgl') {
    const gl = (tf.backend() as tf.MathBackendWebGL).gpgpu.gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return `${gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)} (WebGL ${tf.env().getNumber('WEBGL_VERSION')})`;
  }
  return 'the CPU, in JavaScript on the page\'s main thread';
}

/** Images first…first+count of `split` as a [count, 28, 28, 1] tensor of pixels scaled to [0, 1]. */
function imageTensor(split: MnistSplit, first: number, count: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(split.images.subarray(first * PIXELS, (first + count) * PIXELS), (v) => v / 255), [count, 28, 28, 1]);
}

async function measure(backend: TfjsBackend, mnist: Mnist, options: TfjsBenchOptions): Promise<TfjsReport> {
  const { steps, batchSize: batch } = options;
  const model = tfjsReferenceCnn();
  const optimizer = tf.train.adam(...ADAM);
  const batchesInTrain = Math.floor(mnist.train.count / batch);
  let taken = 0;
  const trainStep = (): tf.Scalar => {
    const first = (taken++ % batchesInTrain) * batch;
    return tf.tidy(() => {
      const images = imageTensor(mnist.train, first, batch);
      const labels = tf.oneHot(tf.tensor1d(Int32Array.from(mnist.train.labels.subarray(first, first + batch)), 'int32'), CLASSES);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor), true)!;
    });
  };
  const evalImages = Math.min(mnist.test.count, options.evalImages);
  const testImages = imageTensor(mnist.test, 0, evalImages);
  const predictClasses = (count: number) => tf.tidy(() => (model.predict(testImages.slice(0, count), { batchSize: EVAL_BATCH }) as tf.Tensor).argMax(-1));
  let loss: tf.Scalar | undefined;
  try {
    // First step: shader compilation (WebGPU, WebGL) plus one step; then one warm-up step.
    let started = performance.now();
    loss = trainStep();
    await loss.data();
    const firstStep = (performance.now() - started) / 1000;
    loss.dispose();
    loss = trainStep();
    await loss.data();
    started = performance.now();
    for (let s = 0; s < steps; s++) {
      loss.dispose();
      loss = trainStep();
    }
    const [finalLoss] = await loss.data();
    const trainSeconds = (performance.now() - started) / 1000;

    // Warm-up on one batch: compiles the inference kernels for the evaluation batch's shape.
    const warmUp = predictClasses(Math.min(EVAL_BATCH, evalImages));
    await warmUp.data();
    warmUp.dispose();
    started = performance.now();
    const predicted = predictClasses(evalImages);
    await predicted.data();
    const evalSeconds = (performance.now() - started) / 1000;
    predicted.dispose();
    return {
      backend,
      available: true,
      adapter: describeBackend(backend),
      tfjs_version: tf.version.tfjs,
      parameters: model.countParams(),
      batch_size: batch,
      steps,
      first_step_seconds: firstStep,
      train_samples_per_s: (steps * batch) / trainSeconds,
      final_loss: finalLoss,
      eval_images: evalImages,
      eval_images_per_s: evalImages / evalSeconds,
    };
  } finally {
    loss?.dispose();
    testImages.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
