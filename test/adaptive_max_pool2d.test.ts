// adaptive_max_pool2d.wgsl (through the AdaptiveMaxPool2d layer) against the float64 reference, on global
// pooling, windows that overlap (O does not divide I), outputs larger than the input (windows repeat
// elements), a kept side and batch 1. Random inputs have no ties.
import { expect, test } from 'vitest';
import { AdaptiveMaxPool2d, type AdaptiveMaxPool2dOptions } from '../src/layers/adaptive_max_pool2d';
import { ConfigError, ShapeError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const cases: Array<{ batch: number; c: number; h: number; w: number; outputSize: AdaptiveMaxPool2dOptions['outputSize'] }> = [
  { batch: 2, c: 3, h: 7, w: 7, outputSize: 1 },
  { batch: 1, c: 4, h: 5, w: 3, outputSize: 1 },
  { batch: 2, c: 2, h: 5, w: 7, outputSize: [3, 4] },
  { batch: 1, c: 3, h: 3, w: 3, outputSize: 5 },
  { batch: 1, c: 2, h: 2, w: 3, outputSize: [7, 4] },
  { batch: 3, c: 2, h: 6, w: 8, outputSize: [null, 3] },
  { batch: 2, c: 1, h: 4, w: 4, outputSize: 2 },
  { batch: 1, c: 2, h: 1, w: 1, outputSize: [3, 2] },
  { batch: 1, c: 1, h: 13, w: 2, outputSize: [4, null] },
];

test.each(cases)('adaptive max pooling %o', async (s) => {
  const layer = new AdaptiveMaxPool2d({ outputSize: s.outputSize });
  const [, oh, ow] = layer.outputShape([s.c, s.h, s.w]);
  const shape = { planes: s.batch * s.c, h: s.h, w: s.w, oh, ow };
  const random = new Random(s.h * 19 + s.w + oh);
  const input = randomArray(random, shape.planes * s.h * s.w);
  const gradOutput = randomArray(random, shape.planes * oh * ow);
  const run = await runLayer(await testEngine(), layer, { batch: s.batch, inputShape: [s.c, s.h, s.w], input, gradOutput });
  expectClose('output', run.output, ops.adaptiveMaxPoolForward(shape, f64(input)).y);
  expectClose('input gradient', run.gradInput!, ops.adaptiveMaxPoolBackward(shape, f64(input), f64(gradOutput)));
});

test('ties: the first maximum in window order takes the gradient, as PyTorch', async () => {
  // One 2×3 plane pooled to 1×2: windows [0, 2) and [1, 3) of each row; every value is 1.
  const run = await runLayer(await testEngine(), new AdaptiveMaxPool2d({ outputSize: [1, 2] }), {
    batch: 1, inputShape: [1, 2, 3], input: new Float32Array(6).fill(1), gradOutput: Float32Array.from([10, 100]),
  });
  expect([...run.gradInput!]).toEqual([10, 100, 0, 0, 0, 0]);
});

test.each([0, 1.5, -2, [2] as unknown as [number, number], [2, 0] as [number, number]])('outputSize %o is refused', (outputSize) => {
  expect(() => new AdaptiveMaxPool2d({ outputSize })).toThrow(ConfigError);
  expect(() => new AdaptiveMaxPool2d({ outputSize, name: 'pool' })).toThrow('AdaptiveMaxPool2d "pool": outputSize');
});

test('an input that is not [C, H, W] is refused', () => {
  expect(() => new AdaptiveMaxPool2d({ outputSize: 1 }).outputShape([10])).toThrow(ShapeError);
});
