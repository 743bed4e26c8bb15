// maxpool2d.wgsl (through the MaxPool2d layer) against the float64 reference, with and without the
// fused ReLU mask. Random inputs have no ties.
import { describe, test } from 'vitest';
import { MaxPool2d } from '../src/layers/maxpool2d';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { awayFromZero, randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const cases: Array<ops.PoolShape & { batch: number; c: number }> = [
  { batch: 1, c: 16, planes: 16, h: 28, w: 28, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 3, c: 32, planes: 96, h: 14, w: 14, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 2, c: 3, planes: 6, h: 9, w: 11, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { batch: 3, c: 1, planes: 3, h: 7, w: 5, kh: 3, kw: 2, sh: 1, sw: 1, ph: 0, pw: 1 },
  { batch: 1, c: 5, planes: 5, h: 5, w: 5, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0 },
  // Windows that do not overlap: odd sizes (a last row and column no window covers), gaps between
  // windows (stride > kernel), padding.
  { batch: 2, c: 3, planes: 6, h: 7, w: 9, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 1, c: 4, planes: 4, h: 10, w: 11, kh: 2, kw: 3, sh: 3, sw: 3, ph: 1, pw: 1 },
];

describe.each([false, true])('maxpool2d (ReLU mask fused: %s)', (maskInput) => {
  test.each(cases)('%o', async (s) => {
    const engine = await testEngine();
    const random = new Random(s.planes * 31 + s.kh);
    const [oh, ow] = ops.poolOutSize(s);
    // As a ReLU's output the input is ≥ 0; zeros (clipped values) exercise the mask.
    const input = maskInput ? awayFromZero(random, s.planes * s.h * s.w).map((v) => Math.max(v, 0)) : randomArray(random, s.planes * s.h * s.w);
    const gradOutput = randomArray(random, s.planes * oh * ow);
    const layer = new MaxPool2d({ kernelSize: [s.kh, s.kw], stride: [s.sh, s.sw], padding: [s.ph, s.pw] });
    const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.c, s.h, s.w], input, gradOutput, fusion: { maskInput: maskInput ? 'relu' : undefined } });
    expectClose('output', run.output, ops.maxPoolForward(s, f64(input)).y);
    const routed = ops.maxPoolBackward(s, f64(input), f64(gradOutput));
    expectClose('input gradient', run.gradInput!, maskInput ? ops.reluBackward(f64(input), routed) : routed);
  });
});
