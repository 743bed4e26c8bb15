// batchnorm2d.wgsl (through the BatchNorm2d layer) against the float64 reference: training mode (batch
// statistics, running estimates, the i64 counter, every gradient), evaluation mode (running estimates),
// no affine parameters, no running statistics, a fused ReLU, and a large mean (no cancellation).
import { describe, expect, test } from 'vitest';
import { BatchNorm2d } from '../src/layers/batchnorm2d';
import { Random } from '../src/random';
import { checkBatchNormTraining, floats, words } from './support/batchnorm_check';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const shapes = [
  { batch: 1, channels: 3, h: 5, w: 7 },
  { batch: 3, channels: 16, h: 14, w: 14 },
  { batch: 6, channels: 5, h: 1, w: 1 },
  { batch: 50, channels: 2, h: 9, w: 9 },
  { batch: 4, channels: 65, h: 3, w: 2 },
];

describe.each(shapes)('batchnorm2d %o', (shape) => {
  const s = { batch: shape.batch, channels: shape.channels, plane: shape.h * shape.w };
  const eps = 1e-5;

  test('training: output, running estimates, counter and gradients', async () => {
    await checkBatchNormTraining(shape, s.batch * 100 + s.channels);
  });

  test('evaluation: the running estimates, nothing updated', async () => {
    const engine = await testEngine();
    const random = new Random(s.batch * 7 + s.channels);
    const input = randomArray(random, s.batch * s.channels * s.plane, -2, 3);
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const runningMean = randomArray(random, s.channels);
    const runningVar = randomArray(random, s.channels, 0.5, 2);
    const buffers = { running_mean: words(runningMean), running_var: words(runningVar), num_batches_tracked: new Uint32Array([3, 0]) };
    const run = await runLayer(engine, new BatchNorm2d({ numFeatures: s.channels }), {
      batch: s.batch, inputShape: [s.channels, shape.h, shape.w], input, params: { weight, bias }, buffers,
    });
    expectClose('output', run.output, ops.batchNormEval(s, f64(input), f64(weight), f64(bias), f64(runningMean), f64(runningVar), eps));
    expect(run.buffers).toEqual(buffers);
  });
});

describe('batchnorm2d options', () => {
  const shape = { batch: 3, channels: 4, h: 5, w: 3 };
  const s = { batch: shape.batch, channels: shape.channels, plane: shape.h * shape.w };
  const random = new Random(11);
  const input = randomArray(random, s.batch * s.channels * s.plane, -1, 2);
  const gradOutput = randomArray(random, input.length);
  const ones = new Float64Array(s.channels).fill(1);
  const zeros = new Float64Array(s.channels);

  test('affine: false has no parameters and still passes the input gradient', async () => {
    const engine = await testEngine();
    const layer = new BatchNorm2d({ numFeatures: s.channels, affine: false });
    expect(layer.tensors().map((t) => t.name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.channels, shape.h, shape.w], input, gradOutput });
    expectClose('output', run.output, ops.batchNormTrain(s, f64(input), ones, zeros, 1e-5).y);
    expectClose('input gradient', run.gradInput!, ops.batchNormBackward(s, f64(input), ones, f64(gradOutput), 1e-5).gx);
  });

  test('trackRunningStats: false normalises with the batch also in evaluation, and keeps no buffers', async () => {
    const engine = await testEngine();
    const layer = new BatchNorm2d({ numFeatures: s.channels, trackRunningStats: false, eps: 1e-3 });
    expect(layer.tensors().map((t) => t.name)).toEqual(['weight', 'bias']);
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.channels, shape.h, shape.w], input, params: { weight, bias } });
    expectClose('output', run.output, ops.batchNormTrain(s, f64(input), f64(weight), f64(bias), 1e-3).y);
  });

  test('a fused ReLU', async () => {
    const engine = await testEngine();
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const run = await runLayer(engine, new BatchNorm2d({ numFeatures: s.channels }), {
      batch: s.batch, inputShape: [s.channels, shape.h, shape.w], input, params: { weight, bias }, training: true, fusion: { activationAfter: 'relu' },
    });
    const pre = ops.batchNormTrain(s, f64(input), f64(weight), f64(bias), 1e-5).y;
    expectClose('output', run.output, ops.relu(pre), undefined, (i) => Math.abs(pre[i]) < 1e-4);
  });

  test('a large mean does not cancel the variance', async () => {
    const engine = await testEngine();
    // Values near 1000 with a spread of 0.01: E[x²] − E[x]² would lose every digit of the variance in f32.
    const big = Float32Array.from(input, (v) => 1000 + 0.01 * v);
    // momentum 1: the running variance becomes the batch's unbiased variance.
    const run = await runLayer(engine, new BatchNorm2d({ numFeatures: s.channels, affine: false, momentum: 1 }), { batch: s.batch, inputShape: [s.channels, shape.h, shape.w], input: big, training: true });
    const ref = ops.batchNormTrain(s, f64(big), ones, zeros, 1e-5);
    // The variance (about 3e-5) survives to f32 precision; E[x²] − E[x]² would leave nothing of it.
    expectClose('running_var', floats(run.buffers.running_var), ref.unbiased, { normRelative: 1e-4, absolute: 1e-12, relative: 1e-4 });
    // The outputs are (x − mean)/σ with σ ≈ 0.006 and x, mean f32 values near 1000 (a step of 6e-5):
    // rounding the mean alone moves them by up to 0.5%.
    expectClose('output', run.output, ref.y, { normRelative: 1e-2, absolute: 2e-2, relative: 1e-2 });
  });

  test('options are checked', () => {
    expect(() => new BatchNorm2d({ numFeatures: 0, name: 'bn' })).toThrow('BatchNorm2d "bn": numFeatures is 0. numFeatures must be a positive integer');
    expect(() => new BatchNorm2d({ numFeatures: 2, momentum: 2 })).toThrow('momentum must be a number in [0, 1]');
    expect(() => new BatchNorm2d({ numFeatures: 2, eps: 0 })).toThrow('eps must be a finite number > 0');
    expect(() => new BatchNorm2d({ numFeatures: 2, name: 'bn' }).outputShape([3, 4, 4])).toThrow('BatchNorm2d "bn": got shape [3, 4, 4], expected [2, height, width]');
  });

  test('one value per channel is refused in training, as PyTorch does', async () => {
    const engine = await testEngine();
    await expect(runLayer(engine, new BatchNorm2d({ numFeatures: 2 }), { batch: 1, inputShape: [2, 1, 1], input: new Float32Array(2), params: { weight: new Float32Array(2), bias: new Float32Array(2) }, training: true }))
      .rejects.toThrow('Batch statistics need more than one value per channel');
  });
});
