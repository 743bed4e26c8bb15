// conv2d.wgsl (through the Conv2d layer): forward, input, weight and bias gradients against the float64 reference.
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Conv2d } from '../src/layers/conv2d';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

// batch, channels in/out, size, kernel, stride, padding: awkward on purpose (batch 1, odd sizes that do
// not divide a 64-wide workgroup or an 8-pixel tile, stride 2 and 3, padding 0, a kernel as large as the
// padded input).
const cases: ops.ConvShape[] = [
  { batch: 1, inC: 1, h: 28, w: 28, outC: 16, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 },
  { batch: 3, inC: 16, h: 14, w: 14, outC: 32, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 },
  { batch: 3, inC: 3, h: 11, w: 9, outC: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { batch: 2, inC: 3, h: 7, w: 10, outC: 16, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },
  { batch: 1, inC: 16, h: 9, w: 9, outC: 3, kh: 3, kw: 3, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 5, inC: 1, h: 13, w: 8, outC: 7, kh: 5, kw: 3, sh: 1, sw: 2, ph: 2, pw: 1 },
  { batch: 2, inC: 2, h: 3, w: 3, outC: 4, kh: 5, kw: 5, sh: 1, sw: 1, ph: 1, pw: 1 },
  // Rows longer than a tile of 8 pixels, wide kernels (several 4-tap blocks), a stride of 3.
  { batch: 2, inC: 5, h: 6, w: 21, outC: 9, kh: 3, kw: 7, sh: 1, sw: 3, ph: 1, pw: 3 },
  { batch: 1, inC: 2, h: 5, w: 17, outC: 6, kh: 1, kw: 9, sh: 1, sw: 1, ph: 0, pw: 4 },
];

// The forward pass and the weight gradient have two variants each; the autotuner picks per adapter, so
// each is pinned here, every one with and without the fused ReLU.
const settings = [
  { reluAfter: false, forward: 'direct', weightGrad: '4 taps x 8 channels' },
  { reluAfter: true, forward: 'direct', weightGrad: '8 taps x 4 channels' },
  { reluAfter: false, forward: 'tap-major', weightGrad: '8 taps x 4 channels' },
  { reluAfter: true, forward: 'tap-major', weightGrad: '4 taps x 8 channels' },
];

describe.each(settings)('conv2d (%o)', ({ reluAfter, forward, weightGrad }) => {
  beforeAll(async () => {
    const engine = await testEngine();
    engine.autotune.pin('conv2d.forward', forward);
    engine.autotune.pin('conv2d.weight_grad', weightGrad);
  });
  afterAll(async () => {
    const engine = await testEngine();
    engine.autotune.pin('conv2d.forward', undefined);
    engine.autotune.pin('conv2d.weight_grad', undefined);
  });

  test.each(cases)('%o', async (s) => {
    const engine = await testEngine();
    const random = new Random(s.batch * 1000 + s.inC * 100 + s.kh);
    const [oh, ow] = ops.convOutSize(s);
    const input = randomArray(random, s.batch * s.inC * s.h * s.w);
    const weight = randomArray(random, s.outC * s.inC * s.kh * s.kw, -0.5, 0.5);
    const bias = randomArray(random, s.outC);
    const gradOutput = randomArray(random, s.batch * s.outC * oh * ow);
    const layer = new Conv2d({ inChannels: s.inC, outChannels: s.outC, kernelSize: [s.kh, s.kw], stride: [s.sh, s.sw], padding: [s.ph, s.pw] });
    const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.inC, s.h, s.w], input, params: { weight, bias }, gradOutput, fusion: { activationAfter: reluAfter ? 'relu' : undefined } });

    const pre = ops.conv2dForward(s, f64(input), f64(weight), f64(bias));
    // With the fused ReLU, elements within 1e-4 of the kink may round either way in f32: not compared.
    const nearKink = (i: number) => reluAfter && Math.abs(pre[i]) < 1e-4;
    expectClose('output', run.output, reluAfter ? ops.relu(pre) : pre, undefined, nearKink);
    // The layer's backward takes the gradient of its pre-activation output (the ReLU layer masks it).
    const { gx, gw, gb } = ops.conv2dBackward(s, f64(input), f64(weight), f64(gradOutput));
    expectClose('input gradient', run.gradInput!, gx);
    expectClose('weight gradient', run.grads.weight, gw);
    expectClose('bias gradient', run.grads.bias, gb);
  });
});
