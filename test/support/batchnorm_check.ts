// One BatchNorm2d training check for the layer's tests and each reduction variant's: the layer run forward
// and backward on random inputs (outputs poisoned), its output, running estimates, i64 counter and every
// gradient compared with the float64 reference at the project's f32 tolerances.
import { expect } from 'vitest';
import { BatchNorm2d } from '../../src/layers/batchnorm2d';
import { Random } from '../../src/random';
import { expectClose, f64 } from './compare';
import { randomArray, runLayer, testEngine, type LayerRun } from './gpu';
import * as ops from '../reference/ops';

export const floats = (words: Uint32Array) => new Float32Array(words.buffer);
export const words = (values: ArrayLike<number>) => new Uint32Array(Float32Array.from(values).buffer);

export interface BatchNormShape {
  batch: number;
  channels: number;
  h: number;
  w: number;
}

/** Trains one step of BatchNorm2d (momentum 0.1, eps 1e-5) on `shape`, checks it and returns the run. */
export async function checkBatchNormTraining(shape: BatchNormShape, seed: number): Promise<LayerRun> {
  const engine = await testEngine();
  const s = { batch: shape.batch, channels: shape.channels, plane: shape.h * shape.w };
  const random = new Random(seed);
  const n = s.batch * s.channels * s.plane;
  const input = randomArray(random, n, -2, 3);
  const weight = randomArray(random, s.channels, 0.5, 1.5);
  const bias = randomArray(random, s.channels);
  const runningMean = randomArray(random, s.channels);
  const runningVar = randomArray(random, s.channels, 0.5, 2);
  const gradOutput = randomArray(random, n);
  const run = await runLayer(engine, new BatchNorm2d({ numFeatures: s.channels }), {
    batch: s.batch, inputShape: [s.channels, shape.h, shape.w], input, params: { weight, bias }, gradOutput,
    // A count past 2^32: the increment must carry into the high word.
    buffers: { running_mean: words(runningMean), running_var: words(runningVar), num_batches_tracked: new Uint32Array([0xffffffff, 7]) },
  });
  const ref = ops.batchNormTrain(s, f64(input), f64(weight), f64(bias), 1e-5);
  expectClose('output', run.output, ref.y);
  expectClose('running_mean', floats(run.buffers.running_mean), f64(runningMean).map((v, c) => 0.9 * v + 0.1 * ref.mean[c]));
  expectClose('running_var', floats(run.buffers.running_var), f64(runningVar).map((v, c) => 0.9 * v + 0.1 * ref.unbiased[c]));
  expect([...run.buffers.num_batches_tracked]).toEqual([0, 8]);
  const grads = ops.batchNormBackward(s, f64(input), f64(weight), f64(gradOutput), 1e-5);
  expectClose('input gradient', run.gradInput!, grads.gx);
  expectClose('weight gradient', run.grads.weight, grads.gw);
  expectClose('bias gradient', run.grads.bias, grads.gb);
  return run;
}
