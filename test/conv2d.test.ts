// conv2d.wgsl (through the Conv2d layer): forward, input, weight and bias gradients against the float64 reference.
import { afterAll, beforeAll, describe, test } from 'vitest';
import { checkConv2d } from './support/conv2d_check';
import { testEngine } from './support/gpu';
import type * as ops from './reference/ops';

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

// conv2d.wgsl's variants of the forward pass and the weight gradient (two each) and its input gradient;
// the autotuner picks per adapter among them and conv2d_tiled.wgsl's (test/conv2d_tiled.test.ts), so each is
// pinned here, every one with and without the fused ReLU.
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
    engine.autotune.pin('conv2d.input_grad', 'direct');
  });
  afterAll(async () => {
    const engine = await testEngine();
    engine.autotune.pin('conv2d.forward', undefined);
    engine.autotune.pin('conv2d.weight_grad', undefined);
    engine.autotune.pin('conv2d.input_grad', undefined);
  });

  test.each(cases)('%o', (s) => checkConv2d(s, reluAfter));
});
