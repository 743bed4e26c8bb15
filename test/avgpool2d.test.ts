// avgpool2d.wgsl (through the AvgPool2d layer) against the float64 reference: padding counted in the
// divisor or not, a divisor override, overlapping windows, ceil mode's overhanging last window, batch 1.
import { expect, test } from 'vitest';
import { AvgPool2d } from '../src/layers/avgpool2d';
import { ConfigError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

type Case = ops.PoolShape & ops.AvgPoolOptions & { batch: number; c: number };

const cases: Case[] = [
  { batch: 2, c: 3, planes: 6, h: 8, w: 8, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, countIncludePad: true },
  { batch: 1, c: 4, planes: 4, h: 7, w: 9, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, countIncludePad: true },
  { batch: 1, c: 4, planes: 4, h: 7, w: 9, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, countIncludePad: false },
  // Overlapping windows (stride 1), a rectangular kernel and unequal padding.
  { batch: 3, c: 2, planes: 6, h: 6, w: 5, kh: 3, kw: 2, sh: 1, sw: 1, ph: 1, pw: 1, countIncludePad: false },
  { batch: 2, c: 1, planes: 2, h: 5, w: 6, kh: 4, kw: 3, sh: 1, sw: 2, ph: 2, pw: 0, countIncludePad: true, divisorOverride: 3 },
  { batch: 1, c: 2, planes: 2, h: 9, w: 4, kh: 2, kw: 2, sh: 3, sw: 1, ph: 1, pw: 0, countIncludePad: false, divisorOverride: -2 },
  // Ceil mode: the last window overhangs the input (7 → 4), or the right padding too (6 → 4, kernel 3, stride 2,
  // padding 1; its divisor counts the padding only up to the padding's edge), or would start in it and is dropped.
  { batch: 1, c: 3, planes: 3, h: 7, w: 7, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, countIncludePad: true, ceil: true },
  { batch: 2, c: 2, planes: 4, h: 6, w: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, countIncludePad: true, ceil: true },
  { batch: 2, c: 2, planes: 4, h: 6, w: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, countIncludePad: false, ceil: true },
  { batch: 1, c: 2, planes: 2, h: 5, w: 5, kh: 2, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1, countIncludePad: true, ceil: true },
];

test.each(cases)('average pooling %o', async (s) => {
  const random = new Random(s.planes * 29 + s.kh * 3 + s.h);
  const [oh, ow] = ops.poolOutSize(s);
  const input = randomArray(random, s.planes * s.h * s.w);
  const gradOutput = randomArray(random, s.planes * oh * ow);
  const layer = new AvgPool2d({
    kernelSize: [s.kh, s.kw], stride: [s.sh, s.sw], padding: [s.ph, s.pw], ceilMode: s.ceil, countIncludePad: s.countIncludePad, divisorOverride: s.divisorOverride,
  });
  expect(layer.outputShape([s.c, s.h, s.w])).toEqual([s.c, oh, ow]);
  const run = await runLayer(await testEngine(), layer, { batch: s.batch, inputShape: [s.c, s.h, s.w], input, gradOutput });
  expectClose('output', run.output, ops.avgPoolForward(s, s, f64(input)));
  expectClose('input gradient', run.gradInput!, ops.avgPoolBackward(s, s, f64(gradOutput)));
});

test('stride defaults to the kernel size, as PyTorch', () => {
  expect(new AvgPool2d({ kernelSize: 2 }).outputShape([3, 7, 8])).toEqual([3, 3, 4]);
  expect(new AvgPool2d({ kernelSize: 2, ceilMode: true }).outputShape([3, 7, 8])).toEqual([3, 4, 4]);
});

test.each([
  [{ kernelSize: 3, padding: 2 }, 'AvgPool2d: padding 2 is more than half the kernel 3. Use padding ≤ kernelSize / 2.'],
  [{ kernelSize: 2, divisorOverride: 0 }, 'AvgPool2d: divisorOverride is 0. divisorOverride must be a non-zero integer (or left out).'],
  [{ kernelSize: 2, divisorOverride: 1.5 }, 'divisorOverride must be a non-zero integer'],
  [{ kernelSize: 2, countIncludePad: 'yes' as unknown as boolean }, 'AvgPool2d: countIncludePad is yes. countIncludePad must be true or false.'],
  [{ kernelSize: 0 }, 'AvgPool2d: kernelSize is 0. kernelSize must be a positive integer.'],
])('options %o are refused', (options, message) => {
  expect(() => new AvgPool2d(options)).toThrow(ConfigError);
  expect(() => new AvgPool2d(options)).toThrow(message);
});
