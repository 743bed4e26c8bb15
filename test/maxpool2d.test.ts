// maxpool2d.wgsl (through the MaxPool2d layer) against the float64 reference, with and without the
// fused ReLU mask, through both backward kernels (the first two cases and the 3 × 2 one tile the input exactly). Random
// inputs have no ties.
import { describe, expect, test } from 'vitest';
import { MaxPool2d } from '../src/layers/maxpool2d';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { awayFromZero, randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';
import { ConfigError, ShapeError } from '../src/gpu/errors';

const cases: Array<ops.PoolShape & { batch: number; c: number }> = [
  { batch: 1, c: 16, planes: 16, h: 28, w: 28, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 3, c: 32, planes: 96, h: 14, w: 14, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 2, c: 3, planes: 6, h: 9, w: 11, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { batch: 3, c: 1, planes: 3, h: 7, w: 5, kh: 3, kw: 2, sh: 1, sw: 1, ph: 0, pw: 1 },
  { batch: 1, c: 5, planes: 5, h: 5, w: 5, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0 },
  // Windows that tile the input exactly (written whole, one invocation per window), not square.
  { batch: 2, c: 3, planes: 6, h: 9, w: 8, kh: 3, kw: 2, sh: 3, sw: 2, ph: 0, pw: 0 },
  // Windows that do not overlap: odd sizes (a last row and column no window covers), gaps between
  // windows (stride > kernel), padding.
  { batch: 2, c: 3, planes: 6, h: 7, w: 9, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 1, c: 4, planes: 4, h: 10, w: 11, kh: 2, kw: 3, sh: 3, sw: 3, ph: 1, pw: 1 },
  // Dilation 2: windows that interleave, with padding and overlap.
  { batch: 2, c: 3, planes: 6, h: 9, w: 8, kh: 3, kw: 2, sh: 1, sw: 2, ph: 1, pw: 1, dh: 2, dw: 2 },
  { batch: 1, c: 2, planes: 2, h: 7, w: 7, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 2, dw: 3 },
  // Ceil mode: a last window overhanging the input (5 → 3), one overhanging the right padding (6 → 4 with
  // kernel 3, stride 2, padding 1), and one that would start in the right padding and is dropped (5 → 3, padding 1).
  { batch: 1, c: 3, planes: 3, h: 5, w: 7, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, ceil: true },
  { batch: 2, c: 2, planes: 4, h: 6, w: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, ceil: true },
  { batch: 1, c: 2, planes: 2, h: 5, w: 5, kh: 2, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1, ceil: true },
  { batch: 2, c: 2, planes: 4, h: 8, w: 9, kh: 3, kw: 3, sh: 2, sw: 3, ph: 1, pw: 0, dh: 2, dw: 2, ceil: true },
];

describe.each([false, true])('maxpool2d (ReLU mask fused: %s)', (maskInput) => {
  test.each(cases)('%o', async (s) => {
    const engine = await testEngine();
    const random = new Random(s.planes * 31 + s.kh);
    const [oh, ow] = ops.poolOutSize(s);
    // As a ReLU's output the input is ≥ 0; zeros (clipped values) exercise the mask.
    const input = maskInput ? awayFromZero(random, s.planes * s.h * s.w).map((v) => Math.max(v, 0)) : randomArray(random, s.planes * s.h * s.w);
    const gradOutput = randomArray(random, s.planes * oh * ow);
    const layer = new MaxPool2d({ kernelSize: [s.kh, s.kw], stride: [s.sh, s.sw], padding: [s.ph, s.pw], dilation: [s.dh ?? 1, s.dw ?? 1], ceilMode: s.ceil });
    expect(layer.outputShape([s.c, s.h, s.w])).toEqual([s.c, oh, ow]);
    const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.c, s.h, s.w], input, gradOutput, fusion: { maskInput: maskInput ? 'relu' : undefined } });
    expectClose('output', run.output, ops.maxPoolForward(s, f64(input)).y);
    const routed = ops.maxPoolBackward(s, f64(input), f64(gradOutput));
    expectClose('input gradient', run.gradInput!, maskInput ? ops.reluBackward(f64(input), routed) : routed);
  });
});

test('the ceil-mode edge: PyTorch drops a last window that would start in the right padding', () => {
  // (5 + 2 − 1 − 1 + 1) / 2 + 1 = 4 windows by the formula; the fourth starts at 6 − 1 = 5, in the padding.
  expect(new MaxPool2d({ kernelSize: 2, padding: 1, ceilMode: true }).outputShape([1, 5, 5])).toEqual([1, 3, 3]);
  expect(new MaxPool2d({ kernelSize: 2, ceilMode: true }).outputShape([1, 5, 4])).toEqual([1, 3, 2]);
  expect(new MaxPool2d({ kernelSize: 3, stride: 1, dilation: 2 }).outputShape([1, 7, 5])).toEqual([1, 3, 1]);
});

test.each([
  [{ kernelSize: 2, padding: 2 }, ConfigError, 'MaxPool2d: padding 2 is more than half the kernel 2. Use padding ≤ kernelSize / 2.'],
  [{ kernelSize: 2, dilation: 0 }, ConfigError, 'MaxPool2d: dilation is 0. dilation must be a positive integer.'],
  [{ kernelSize: 2, ceilMode: 1 as unknown as boolean }, ConfigError, 'MaxPool2d: ceilMode is 1. ceilMode must be true or false.'],
  [{ kernelSize: [2, 2, 2] as unknown as [number, number] }, ConfigError, 'kernelSize has 3 values'],
] as const)('options %o are refused', (options, type, message) => {
  expect(() => new MaxPool2d(options)).toThrow(type);
  expect(() => new MaxPool2d(options)).toThrow(message);
});

test('an input smaller than a dilated window is refused', () => {
  expect(() => new MaxPool2d({ kernelSize: 3, dilation: 3 }).outputShape([1, 6, 9])).toThrow(ShapeError);
  expect(() => new MaxPool2d({ kernelSize: 3, dilation: 3 }).outputShape([1, 6, 9])).toThrow('expected a height of at least 7 for a window spanning 7 with padding 0');
});
