// conv2d_tiled.wgsl with groups, dilation and asymmetric padding (through the Conv2d layer's general
// family, each variant pinned, conv2d_general.wgsl's kernel among them): forward with bias and a fused
// ReLU, input and weight gradients against the float64 reference. Small shapes, so SwiftShader runs them too.
import { describe, expect, test } from 'vitest';
import { TILES } from '../src/layers/conv2d_tiled';
import { checkConv2d } from './support/conv2d_check';
import { pinVariants, testEngine } from './support/gpu';
import type * as ops from './reference/ops';

// Awkward for tiles of 16 or 32 rows within one group: channels per group that are not multiples of 4
// (5, 7, 9) or exceed one tile (18 rows: two row tiles per group), batch 1 and odd batches, stride 2,
// dilation with the asymmetric padding of 'same' and an even kernel.
const grouped: ops.ConvShape[] = [
  { batch: 3, inC: 20, h: 7, w: 9, outC: 28, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, groups: 4 },
  { batch: 1, inC: 36, h: 6, w: 5, outC: 72, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 4 },
  { batch: 2, inC: 10, h: 6, w: 7, outC: 14, kh: 2, kw: 2, sh: 1, sw: 1, ph: 1, pw: 1, pb: 2, pr: 2, dh: 3, dw: 3, groups: 2 },
];

// Depthwise (channel multiplier 1 and 2): groups of 1 or 2 rows, where only the weight gradient is
// offered tiled (conv2d_tiled.ts, MIN_GROUP_ROWS); the first with a reduction (3 × 28 × 28) long enough
// for the weight gradient to be split into slices.
const depthwise: ops.ConvShape[] = [
  { batch: 3, inC: 8, h: 28, w: 28, outC: 8, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 8 },
  { batch: 5, inC: 3, h: 9, w: 8, outC: 6, kh: 5, kw: 5, sh: 2, sw: 2, ph: 2, pw: 2, groups: 3 },
];

// The fused ReLU on every other case (it changes only the forward epilogue).
const runs = (cases: ops.ConvShape[]) => cases.map((shape, i) => ({ shape, reluAfter: i % 2 === 0 }));

describe.each(['general', ...Object.keys(TILES)])('conv2d grouped %s', (variant) => {
  pinVariants(['conv2d_general.forward', 'conv2d_general.input_grad', 'conv2d_general.weight_grad'], variant);
  test.each(runs(grouped))('%o', ({ shape, reluAfter }) => checkConv2d(shape, reluAfter));
});

describe.each(Object.keys(TILES))('conv2d depthwise, weight gradient %s', (variant) => {
  pinVariants(['conv2d_general.forward', 'conv2d_general.input_grad'], 'general');
  pinVariants(['conv2d_general.weight_grad'], variant);
  test.each(runs(depthwise))('%o', ({ shape, reluAfter }) => checkConv2d(shape, reluAfter));
});

test('a depthwise forward pass is not offered tiled', async () => {
  const engine = await testEngine();
  engine.autotune.pin('conv2d_general.forward', 'tiled 16x64');
  try {
    const shape = { batch: 1, inC: 7, h: 9, w: 9, outC: 7, kh: 3, kw: 3, sh: 2, sw: 2, ph: 0, pw: 0, groups: 7 };
    await expect(checkConv2d(shape, false)).rejects.toThrow(/no variant "tiled 16x64" for conv2d_general\.forward .*; variants: general$/);
  } finally {
    engine.autotune.pin('conv2d_general.forward', undefined);
  }
});
