// The float64 reference checked against finite differences: if these pass, the reference's backward
// passes are the true derivatives of its forward passes, and the GPU tests compare against the truth.
import { describe, expect, test } from 'vitest';
import * as ops from './reference/ops';
import * as act from './reference/activations';
import { Random } from '../src/random';

const random = new Random(7);
const rand = (n: number) => Float64Array.from({ length: n }, () => random.uniform(-1, 1));

/** Checks analytic gradient `g` of scalar f at `x` by central differences, on every element. */
function checkGradient(name: string, f: (x: Float64Array) => number, x: Float64Array, g: Float64Array) {
  const h = 1e-6;
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + h;
    const up = f(x);
    x[i] = saved - h;
    const down = f(x);
    x[i] = saved;
    const numeric = (up - down) / (2 * h);
    expect(Math.abs(numeric - g[i]), `${name}[${i}]: numeric ${numeric}, analytic ${g[i]}`).toBeLessThan(1e-6 + 1e-5 * Math.abs(numeric));
  }
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('float64 reference: backward passes equal finite differences', () => {
  const convShapes: ops.ConvShape[] = [
    { batch: 2, inC: 3, h: 5, w: 6, outC: 2, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
    { batch: 1, inC: 2, h: 7, w: 5, outC: 3, kh: 3, kw: 2, sh: 2, sw: 1, ph: 0, pw: 1 },
    { batch: 2, inC: 1, h: 6, w: 6, outC: 2, kh: 5, kw: 5, sh: 2, sw: 2, ph: 2, pw: 2 },
    // Groups 2, depthwise (groups = channels), depthwise with a multiplier of 2, dilation 2, and the
    // asymmetric padding of 'same' with even kernels (one more on the bottom and right).
    { batch: 2, inC: 4, h: 5, w: 5, outC: 6, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 2 },
    { batch: 1, inC: 3, h: 6, w: 5, outC: 3, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 0, groups: 3 },
    { batch: 1, inC: 2, h: 5, w: 5, outC: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 2 },
    { batch: 2, inC: 2, h: 7, w: 6, outC: 2, kh: 3, kw: 2, sh: 1, sw: 1, ph: 2, pw: 0, dh: 2, dw: 3 },
    { batch: 1, inC: 2, h: 5, w: 6, outC: 3, kh: 4, kw: 2, sh: 1, sw: 1, ph: 1, pw: 0, pb: 2, pr: 1 },
  ];
  test.each(convShapes)('conv2d %o', (s) => {
    const [oh, ow] = ops.convOutSize(s);
    const x = rand(s.batch * s.inC * s.h * s.w);
    const w = rand((s.outC * s.inC * s.kh * s.kw) / (s.groups ?? 1));
    const b = rand(s.outC);
    const gy = rand(s.batch * s.outC * oh * ow);
    const { gx, gw, gb } = ops.conv2dBackward(s, x, w, gy);
    checkGradient('input', (v) => dot(ops.conv2dForward(s, v, w, b), gy), x, gx);
    checkGradient('weight', (v) => dot(ops.conv2dForward(s, x, v, b), gy), w, gw);
    checkGradient('bias', (v) => dot(ops.conv2dForward(s, x, w, v), gy), b, gb);
  });

  test.each([
    { planes: 3, h: 6, w: 5, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 },
    { planes: 2, h: 7, w: 7, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
    { planes: 1, h: 5, w: 6, kh: 3, kw: 2, sh: 1, sw: 1, ph: 0, pw: 1 },
  ])('maxpool2d %o', (s) => {
    const [oh, ow] = ops.poolOutSize(s);
    const x = rand(s.planes * s.h * s.w);
    const gy = rand(s.planes * oh * ow);
    checkGradient('input', (v) => dot(ops.maxPoolForward(s, v).y, gy), x, ops.maxPoolBackward(s, x, gy));
  });

  test('pooling output sizes are PyTorch\'s (ceil mode, its dropped last window, dilation)', () => {
    // [size, kernel, stride, padding, dilation, ceil] → length, as torch.nn.MaxPool2d gives.
    const cases: Array<[number, number, number, number, number, boolean, number]> = [
      [5, 2, 2, 0, 1, false, 2],
      [5, 2, 2, 0, 1, true, 3],
      [4, 3, 2, 0, 1, true, 2],
      [5, 2, 2, 1, 1, true, 3], // the fourth window would start in the right padding: dropped
      [6, 3, 2, 1, 1, true, 4],
      [7, 3, 1, 0, 2, false, 3],
      [8, 3, 2, 1, 2, true, 4],
    ];
    for (const [size, k, st, p, d, ceil, expected] of cases) expect(ops.poolOutLength(size, k, st, p, d, ceil), `${[size, k, st, p, d, ceil]}`).toBe(expected);
  });

  test.each([
    { planes: 2, h: 7, w: 6, kh: 3, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1, dh: 2, dw: 1 },
    { planes: 1, h: 5, w: 5, kh: 2, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1, ceil: true },
    { planes: 2, h: 6, w: 7, kh: 3, kw: 3, sh: 2, sw: 2, ph: 0, pw: 1, dh: 2, dw: 2, ceil: true },
  ])('maxpool2d with dilation and ceil mode %o', (s) => {
    const [oh, ow] = ops.poolOutSize(s);
    const x = rand(s.planes * s.h * s.w);
    const gy = rand(s.planes * oh * ow);
    checkGradient('input', (v) => dot(ops.maxPoolForward(s, v).y, gy), x, ops.maxPoolBackward(s, x, gy));
  });

  test('avgpool2d divisors are PyTorch\'s (padding counted or not, an override)', () => {
    // One 3×3 plane of ones, kernel 2, stride 2, padding 1 (a 2×2 output): the first window holds one real element of four.
    const s = { planes: 1, h: 3, w: 3, kh: 2, kw: 2, sh: 2, sw: 2, ph: 1, pw: 1 };
    const ones = new Float64Array(9).fill(1);
    expect([...ops.avgPoolForward(s, { countIncludePad: true }, ones)]).toEqual([0.25, 0.5, 0.5, 1]);
    expect([...ops.avgPoolForward(s, { countIncludePad: false }, ones)]).toEqual([1, 1, 1, 1]);
    expect([...ops.avgPoolForward(s, { countIncludePad: true, divisorOverride: 2 }, ones)]).toEqual([0.5, 1, 1, 2]);
    // Ceil mode, 6×6 ones, kernel 3, stride 2, padding 1: the last window (rows 5..7) overhangs the right
    // padding (row 6) and beyond; PyTorch counts it up to the padding's edge: 2 rows, 1 real.
    const ceil = { planes: 1, h: 6, w: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, ceil: true };
    expect(ops.avgPoolForward(ceil, { countIncludePad: true }, new Float64Array(36).fill(1))[15]).toBe(0.25);
  });

  test.each([
    [{ planes: 2, h: 6, w: 5, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 }, { countIncludePad: true }],
    [{ planes: 1, h: 7, w: 6, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 1 }, { countIncludePad: true }],
    [{ planes: 1, h: 7, w: 6, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 1 }, { countIncludePad: false }],
    [{ planes: 2, h: 5, w: 5, kh: 3, kw: 2, sh: 1, sw: 2, ph: 1, pw: 0 }, { countIncludePad: false, divisorOverride: 5 }],
    [{ planes: 1, h: 6, w: 7, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, ceil: true }, { countIncludePad: true }],
  ])('avgpool2d %o %o', (s, o) => {
    const [oh, ow] = ops.poolOutSize(s);
    const x = rand(s.planes * s.h * s.w);
    const gy = rand(s.planes * oh * ow);
    checkGradient('input', (v) => dot(ops.avgPoolForward(s, o, v), gy), x, ops.avgPoolBackward(s, o, gy));
  });

  test.each([
    { planes: 2, h: 7, w: 7, oh: 1, ow: 1 },
    { planes: 2, h: 5, w: 7, oh: 3, ow: 4 },
    { planes: 1, h: 3, w: 4, oh: 5, ow: 6 },
  ])('adaptive max pooling %o', (s) => {
    const x = rand(s.planes * s.h * s.w);
    const gy = rand(s.planes * s.oh * s.ow);
    checkGradient('input', (v) => dot(ops.adaptiveMaxPoolForward(s, v).y, gy), x, ops.adaptiveMaxPoolBackward(s, x, gy));
  });

  test('adaptive pooling windows are PyTorch\'s (5 → 3 and 7 → 4 overlap, 3 → 5 repeats)', () => {
    const windows = (inSize: number, outSize: number) => Array.from({ length: outSize }, (_, i) => ops.adaptiveWindow(i, inSize, outSize));
    expect(windows(5, 3)).toEqual([[0, 2], [1, 4], [3, 5]]);
    expect(windows(7, 4)).toEqual([[0, 2], [1, 4], [3, 6], [5, 7]]);
    expect(windows(3, 5)).toEqual([[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]]);
  });

  test.each([
    { planes: 2, h: 7, w: 7, oh: 1, ow: 1 },
    { planes: 1, h: 5, w: 3, oh: 1, ow: 1 },
    { planes: 2, h: 5, w: 7, oh: 3, ow: 4 },
    { planes: 1, h: 3, w: 4, oh: 5, ow: 6 },
  ])('adaptive average pooling %o', (s) => {
    const x = rand(s.planes * s.h * s.w);
    const gy = rand(s.planes * s.oh * s.ow);
    checkGradient('input', (v) => dot(ops.adaptiveAvgPoolForward(s, v), gy), x, ops.adaptiveAvgPoolBackward(s, gy));
  });

  test('dropout (a fixed mask)', () => {
    const p = 0.3;
    const mask = ops.dropoutMask(40, p, 5, 9, 0);
    const x = rand(40);
    const gy = rand(40);
    checkGradient('input', (v) => dot(ops.dropout(v, mask, p), gy), x, ops.dropoutBackward(gy, mask, p));
  });

  test('relu', () => {
    const x = rand(50).map((v) => v + Math.sign(v) * 0.01);
    const gy = rand(50);
    checkGradient('input', (v) => dot(ops.relu(v), gy), x, ops.reluBackward(ops.relu(x), gy));
  });

  test('linear', () => {
    const [batch, inF, outF] = [3, 7, 4];
    const x = rand(batch * inF);
    const w = rand(outF * inF);
    const b = rand(outF);
    const gy = rand(batch * outF);
    const { gx, gw, gb } = ops.linearBackward(batch, inF, outF, x, w, gy);
    checkGradient('input', (v) => dot(ops.linearForward(batch, inF, outF, v, w, b), gy), x, gx);
    checkGradient('weight', (v) => dot(ops.linearForward(batch, inF, outF, x, v, b), gy), w, gw);
    checkGradient('bias', (v) => dot(ops.linearForward(batch, inF, outF, x, w, v), gy), b, gb);
  });

  test.each([
    { batch: 2, channels: 3, plane: 5 },
    { batch: 1, channels: 2, plane: 7 },
    { batch: 4, channels: 1, plane: 1 },
  ])('batchnorm2d (training) %o', (s) => {
    const x = rand(s.batch * s.channels * s.plane);
    const w = rand(s.channels);
    const b = rand(s.channels);
    const gy = rand(x.length);
    const eps = 1e-5;
    const { gx, gw, gb } = ops.batchNormBackward(s, x, w, gy, eps);
    checkGradient('input', (v) => dot(ops.batchNormTrain(s, v, w, b, eps).y, gy), x, gx);
    checkGradient('weight', (v) => dot(ops.batchNormTrain(s, x, v, b, eps).y, gy), w, gw);
    checkGradient('bias', (v) => dot(ops.batchNormTrain(s, x, w, v, eps).y, gy), b, gb);
  });

  test('softmax cross-entropy', () => {
    const [batch, classes] = [4, 5];
    const logits = rand(batch * classes).map((v) => v * 3);
    const labels = [0, 4, 2, 2];
    const { grad } = ops.softmaxCrossEntropy(batch, classes, logits, labels);
    checkGradient('logits', (v) => ops.softmaxCrossEntropy(batch, classes, v, labels).loss, logits, grad);
  });

  test('softmax cross-entropy stays finite for huge logits', () => {
    const { loss, grad } = ops.softmaxCrossEntropy(1, 3, Float64Array.from([1000, -1000, 999]), [2]);
    expect(loss).toBeCloseTo(Math.log(1 + Math.exp(1)) , 10);
    expect(grad.every(Number.isFinite)).toBe(true);
  });
  // Inputs across each function's range, kept 0.01 away from its kinks (0, ±3) where finite differences straddle them.
  const activationInputs = () => Float64Array.from([...rand(40).map((v) => v * 6), -9, -4.5, -2.9, -0.02, 0.03, 2.95, 3.1, 7.5])
    .map((v) => ([0, -3, 3].some((k) => Math.abs(v - k) < 0.01) ? v + 0.02 : v));
  test.each([
    ['sigmoid', act.sigmoid], ['tanh', act.tanh], ['leaky_relu 0.01', act.leakyRelu(0.01)], ['leaky_relu −0.3', act.leakyRelu(-0.3)],
    ['elu 1', act.elu(1)], ['elu 0.5', act.elu(0.5)], ['gelu', act.gelu], ['gelu tanh', act.geluTanh], ['silu', act.silu], ['hardswish', act.hardswish],
  ] as const)('%s', (_, fn) => {
    const x = activationInputs();
    const gy = rand(x.length);
    checkGradient('input', (v) => dot(act.forward(fn, v), gy), x, act.backward(fn, x, gy));
  });

  test('erf: known values, odd symmetry, and its derivative 2/√π·e^(−x²)', () => {
    expect(act.erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(act.erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(act.erf(2)).toBeCloseTo(0.9953222650189527, 15);
    expect(act.erf(-1)).toBe(-act.erf(1));
    const x = Float64Array.from([-3.2, -1.1, -0.2, 0.05, 0.7, 1.9, 4.1]);
    checkGradient('erf', (v) => v.reduce((s, xi) => s + act.erf(xi), 0), x, x.map((v) => (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v)));
  });

  test('softmax', () => {
    const features = 6;
    const x = rand(3 * features).map((v) => v * 4);
    const gy = rand(x.length);
    checkGradient('input', (v) => dot(act.softmax(features, v), gy), x, act.softmaxBackward(features, act.softmax(features, x), gy));
  });

  test('softmax stays finite for huge logits', () => {
    const y = act.softmax(3, Float64Array.from([1000, -1000, 999]));
    expect(y[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(y.every(Number.isFinite)).toBe(true);
  });
});
