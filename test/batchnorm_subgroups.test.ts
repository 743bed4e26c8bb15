// BatchNorm's per-channel reductions (the statistics, the running estimates, and Σdy, Σdy·x̂ of the
// backward pass), each variant pinned in turn: with workgroup memory alone (batchnorm2d.wgsl) and within
// subgroups first (batchnorm2d_subgroups.wgsl, subgroup_sum.wgsl), against the float64 reference, on
// shapes where a channel's values do not fill the subgroups (3, 4, 45 and 65 values; with 2, x̂ = ±1 and
// the input gradient is 0, all rounding) and where they are many (25,088), with channel counts that are
// not multiples of a subgroup's size; outputs poisoned first (runLayer). Both software adapters
// (lavapipe, SwiftShader) offer `subgroups`, so the subgroup variant is tested on both. Each variant
// gives the same bits on a second run (a fixed order of additions).
import { describe, expect, test } from 'vitest';
import { BatchNorm2d } from '../src/layers/batchnorm2d';
import { Random } from '../src/random';
import { checkBatchNormTraining, floats, words } from './support/batchnorm_check';
import { expectClose, f64 } from './support/compare';
import { pinVariants, randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const FAMILIES = ['batchnorm.statistics', 'batchnorm.backward_reduce'];

const shapes = [
  { batch: 2, channels: 3, h: 1, w: 2 },
  { batch: 3, channels: 13, h: 1, w: 1 },
  { batch: 5, channels: 65, h: 3, w: 3 },
  { batch: 1, channels: 7, h: 5, w: 13 },
  { batch: 32, channels: 3, h: 28, w: 28 },
];


test('the engine asks for subgroups where the adapter has them (lavapipe and SwiftShader do)', async () => {
  const engine = await testEngine();
  expect(engine.features.subgroups).toBe(true);
  expect(engine.device.features.has('subgroups')).toBe(true);
});

describe.each(['workgroup', 'subgroups'])('batchnorm reductions pinned to %s', (variant) => {
  pinVariants(FAMILIES, variant);

  test.each(shapes)('training on %o: statistics, running estimates, gradients; the same bits twice', async (shape) => {
    const seed = shape.batch * 1000 + shape.channels * 10 + shape.h * shape.w;
    const first = await checkBatchNormTraining(shape, seed);
    const second = await checkBatchNormTraining(shape, seed);
    const bits = (values: Float32Array) => [...words(values)];
    expect(bits(second.output)).toEqual(bits(first.output));
    expect(bits(second.gradInput!)).toEqual(bits(first.gradInput!));
    expect(bits(second.grads.weight)).toEqual(bits(first.grads.weight));
    expect(bits(second.grads.bias)).toEqual(bits(first.grads.bias));
    expect([...second.buffers.running_mean]).toEqual([...first.buffers.running_mean]);
    expect([...second.buffers.running_var]).toEqual([...first.buffers.running_var]);
  });

  test('a large mean does not cancel the variance (the first pass sums differences from a shift)', async () => {
    const engine = await testEngine();
    const s = { batch: 6, channels: 5, plane: 12 };
    const random = new Random(17);
    const big = Float32Array.from(randomArray(random, s.batch * s.channels * s.plane), (v) => 1000 + 0.01 * v);
    const run = await runLayer(engine, new BatchNorm2d({ numFeatures: s.channels, affine: false, momentum: 1 }), { batch: s.batch, inputShape: [s.channels, 3, 4], input: big, training: true });
    const ones = new Float64Array(s.channels).fill(1);
    const ref = ops.batchNormTrain(s, f64(big), ones, new Float64Array(s.channels), 1e-5);
    // As in batchnorm2d.test.ts: the variance (about 3e-5) to f32 precision.
    expectClose('running_var', floats(run.buffers.running_var), ref.unbiased, { normRelative: 1e-4, absolute: 1e-12, relative: 1e-4 });
  });
});
