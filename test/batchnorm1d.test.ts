// BatchNorm1d (batchnorm2d.wgsl with a plane of 1, or of L) against the float64 reference, as PyTorch's
// nn.BatchNorm1d on [N, C] after a Linear and on [N, C, L]: training (batch statistics, running estimates,
// the i64 counter, every gradient), evaluation, no affine parameters, no running statistics, a fused ReLU.
import { describe, expect, test } from 'vitest';
import { BatchNorm1d } from '../src/layers/batchnorm1d';
import { ConfigError, ShapeError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const floats = (words: Uint32Array) => new Float32Array(words.buffer);
const words = (values: ArrayLike<number>) => new Uint32Array(Float32Array.from(values).buffer);

// inputShape is per sample: [C] as after a Linear, or [C, L]. (Two values per feature normalise to ±1
// whatever they are, so their input gradient is nothing but cancellation: three is the smallest useful batch.)
const shapes = [
  { batch: 3, inputShape: [3] },
  { batch: 50, inputShape: [10] },
  { batch: 7, inputShape: [65] },
  { batch: 1, inputShape: [4, 6] },
  { batch: 3, inputShape: [5, 9] },
];

describe.each(shapes)('batchnorm1d %o', ({ batch, inputShape }) => {
  const s = { batch, channels: inputShape[0], plane: inputShape[1] ?? 1 };
  const n = s.batch * s.channels * s.plane;
  const momentum = 0.1;
  const eps = 1e-5;

  test('training: output, running estimates, counter and gradients', async () => {
    const random = new Random(s.batch * 101 + s.channels);
    const input = randomArray(random, n, -2, 3);
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const runningMean = randomArray(random, s.channels);
    const runningVar = randomArray(random, s.channels, 0.5, 2);
    const gradOutput = randomArray(random, n);
    const layer = new BatchNorm1d({ numFeatures: s.channels });
    expect(layer.tensors().map((t) => [t.name, t.dtype ?? 'f32'])).toEqual([
      ['weight', 'f32'], ['bias', 'f32'], ['running_mean', 'f32'], ['running_var', 'f32'], ['num_batches_tracked', 'i64'],
    ]);
    const run = await runLayer(await testEngine(), layer, {
      batch: s.batch, inputShape, input, params: { weight, bias }, gradOutput,
      buffers: { running_mean: words(runningMean), running_var: words(runningVar), num_batches_tracked: new Uint32Array([41, 0]) },
    });
    const ref = ops.batchNormTrain(s, f64(input), f64(weight), f64(bias), eps);
    expectClose('output', run.output, ref.y);
    expectClose('running_mean', floats(run.buffers.running_mean), f64(runningMean).map((v, c) => (1 - momentum) * v + momentum * ref.mean[c]));
    expectClose('running_var', floats(run.buffers.running_var), f64(runningVar).map((v, c) => (1 - momentum) * v + momentum * ref.unbiased[c]));
    expect([...run.buffers.num_batches_tracked]).toEqual([42, 0]);
    const grads = ops.batchNormBackward(s, f64(input), f64(weight), f64(gradOutput), eps);
    expectClose('input gradient', run.gradInput!, grads.gx);
    expectClose('weight gradient', run.grads.weight, grads.gw);
    expectClose('bias gradient', run.grads.bias, grads.gb);
  });

  test('evaluation: the running estimates, nothing updated', async () => {
    const random = new Random(s.batch * 13 + s.channels);
    const input = randomArray(random, n, -2, 3);
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const runningMean = randomArray(random, s.channels);
    const runningVar = randomArray(random, s.channels, 0.5, 2);
    const buffers = { running_mean: words(runningMean), running_var: words(runningVar), num_batches_tracked: new Uint32Array([3, 0]) };
    const run = await runLayer(await testEngine(), new BatchNorm1d({ numFeatures: s.channels }), { batch: s.batch, inputShape, input, params: { weight, bias }, buffers });
    expectClose('output', run.output, ops.batchNormEval(s, f64(input), f64(weight), f64(bias), f64(runningMean), f64(runningVar), eps));
    expect(run.buffers).toEqual(buffers);
  });
});

describe('batchnorm1d options', () => {
  const s = { batch: 6, channels: 4, plane: 1 };
  const random = new Random(23);
  const input = randomArray(random, s.batch * s.channels, -1, 2);
  const gradOutput = randomArray(random, input.length);
  const ones = new Float64Array(s.channels).fill(1);
  const zeros = new Float64Array(s.channels);

  test('affine: false, momentum 0.3 and eps 1e-3: no parameters, the input gradient still flows', async () => {
    const layer = new BatchNorm1d({ numFeatures: s.channels, affine: false, momentum: 0.3, eps: 1e-3 });
    expect(layer.tensors().map((t) => t.name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    const run = await runLayer(await testEngine(), layer, { batch: s.batch, inputShape: [s.channels], input, gradOutput });
    const ref = ops.batchNormTrain(s, f64(input), ones, zeros, 1e-3);
    expectClose('output', run.output, ref.y);
    expectClose('running_var', floats(run.buffers.running_var), ref.unbiased.map((v) => 0.7 + 0.3 * v));
    expectClose('input gradient', run.gradInput!, ops.batchNormBackward(s, f64(input), ones, f64(gradOutput), 1e-3).gx);
  });

  test('trackRunningStats: false normalises with the batch in evaluation too', async () => {
    const layer = new BatchNorm1d({ numFeatures: s.channels, trackRunningStats: false });
    expect(layer.tensors().map((t) => t.name)).toEqual(['weight', 'bias']);
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const run = await runLayer(await testEngine(), layer, { batch: s.batch, inputShape: [s.channels], input, params: { weight, bias } });
    expectClose('output', run.output, ops.batchNormTrain(s, f64(input), f64(weight), f64(bias), 1e-5).y);
  });

  test('a fused ReLU', async () => {
    const weight = randomArray(random, s.channels, 0.5, 1.5);
    const bias = randomArray(random, s.channels);
    const run = await runLayer(await testEngine(), new BatchNorm1d({ numFeatures: s.channels }), {
      batch: s.batch, inputShape: [s.channels], input, params: { weight, bias }, training: true, fusion: { activationAfter: 'relu' },
    });
    const pre = ops.batchNormTrain(s, f64(input), f64(weight), f64(bias), 1e-5).y;
    expectClose('output', run.output, ops.relu(pre), undefined, (i) => Math.abs(pre[i]) < 1e-4);
  });

  test('a batch of one sample is refused in training, as PyTorch does ("Expected more than 1 value per channel")', async () => {
    await expect(runLayer(await testEngine(), new BatchNorm1d({ numFeatures: 2 }), { batch: 1, inputShape: [2], input: new Float32Array(2), params: { weight: new Float32Array(2), bias: new Float32Array(2) }, training: true }))
      .rejects.toThrow('a batch of 1 with 1 value per sample and channel has one value per channel. Batch statistics need more than one value per channel');
  });

  test('options and shapes are checked, naming the layer', () => {
    expect(() => new BatchNorm1d({ numFeatures: 0, name: 'bn' })).toThrow(ConfigError);
    expect(() => new BatchNorm1d({ numFeatures: 0, name: 'bn' })).toThrow('BatchNorm1d "bn": numFeatures is 0. numFeatures must be a positive integer');
    expect(() => new BatchNorm1d({ numFeatures: 2, momentum: -1 })).toThrow('BatchNorm1d: momentum is -1. momentum must be a number in [0, 1]');
    expect(() => new BatchNorm1d({ numFeatures: 4, name: 'bn' }).outputShape([3])).toThrow(ShapeError);
    expect(() => new BatchNorm1d({ numFeatures: 4, name: 'bn' }).outputShape([4, 2, 2])).toThrow('BatchNorm1d "bn": got shape [4, 2, 2], expected [4] or [4, length]');
    expect(new BatchNorm1d({ numFeatures: 4 }).outputShape([4])).toEqual([4]);
  });
});
