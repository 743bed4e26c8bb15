// adaptive_avg_pool2d.wgsl (through the AdaptiveAvgPool2d layer) against the float64 reference, on
// global pooling, windows that overlap (O does not divide I), outputs larger than the input, and a kept side.
import { expect, test } from 'vitest';
import { AdaptiveAvgPool2d, type AdaptiveAvgPool2dOptions } from '../src/layers/adaptive_avg_pool2d';
import { ConfigError, ShapeError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const cases: Array<{ batch: number; c: number; h: number; w: number; outputSize: AdaptiveAvgPool2dOptions['outputSize'] }> = [
  { batch: 2, c: 3, h: 7, w: 7, outputSize: 1 },
  { batch: 1, c: 4, h: 5, w: 3, outputSize: 1 },
  { batch: 4, c: 64, h: 7, w: 7, outputSize: [1, 1] },
  { batch: 2, c: 2, h: 5, w: 7, outputSize: [3, 4] },
  { batch: 1, c: 3, h: 3, w: 3, outputSize: 5 },
  { batch: 3, c: 2, h: 6, w: 8, outputSize: [null, 3] },
  { batch: 2, c: 1, h: 4, w: 4, outputSize: 2 },
  { batch: 1, c: 2, h: 1, w: 1, outputSize: [3, 2] },
  { batch: 1, c: 1, h: 13, w: 2, outputSize: [4, null] },
];

test.each(cases)('adaptive average pooling %o', async (s) => {
  const layer = new AdaptiveAvgPool2d({ outputSize: s.outputSize });
  const [, oh, ow] = layer.outputShape([s.c, s.h, s.w]);
  const shape = { planes: s.batch * s.c, h: s.h, w: s.w, oh, ow };
  const random = new Random(s.h * 17 + s.w);
  const input = randomArray(random, shape.planes * s.h * s.w);
  const gradOutput = randomArray(random, shape.planes * oh * ow);
  const run = await runLayer(await testEngine(), layer, { batch: s.batch, inputShape: [s.c, s.h, s.w], input, gradOutput });
  expectClose('output', run.output, ops.adaptiveAvgPoolForward(shape, f64(input)));
  expectClose('input gradient', run.gradInput!, ops.adaptiveAvgPoolBackward(shape, f64(gradOutput)));
});

test('output shapes: a number, a pair, and null keeping the input side', () => {
  expect(new AdaptiveAvgPool2d({ outputSize: 1 }).outputShape([64, 7, 7])).toEqual([64, 1, 1]);
  expect(new AdaptiveAvgPool2d({ outputSize: [3, 4] }).outputShape([2, 5, 7])).toEqual([2, 3, 4]);
  expect(new AdaptiveAvgPool2d({ outputSize: [null, 3] }).outputShape([2, 6, 8])).toEqual([2, 6, 3]);
});

test.each([0, 1.5, -2, [2] as unknown as [number, number], [2, 0] as [number, number]])('outputSize %o is refused', (outputSize) => {
  expect(() => new AdaptiveAvgPool2d({ outputSize })).toThrow(ConfigError);
});

test('an input that is not [C, H, W] is refused', () => {
  expect(() => new AdaptiveAvgPool2d({ outputSize: 1 }).outputShape([10])).toThrow(ShapeError);
});
