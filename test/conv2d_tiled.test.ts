// conv2d_tiled.wgsl (through the Conv2d layer, each tiled variant pinned): forward, input and weight
// gradients against the float64 reference. Small shapes, so SwiftShader (where barriers are slow) runs them too.
import { describe, expect, test } from 'vitest';
import { TILES } from '../src/layers/conv2d_tiled';
import { words } from './support/batchnorm_check';
import { checkConv2d, checkedConv2dRun } from './support/conv2d_check';
import { pinVariants, testEngine } from './support/gpu';
import type * as ops from './reference/ops';

// Awkward for tiles of 16 or 32 channels × 32 or 64 pixels and reduction steps of 8: channel counts that
// fill no tile (1, 3, 5, 9), batch 1, odd sizes, pixel counts that end mid-tile, reductions (Ci·Kh·Kw)
// that end mid-step, stride 2 and 3; the reference CNN's two layers (5×5, pad 2: the first with a
// reduction long enough to be split into slices) and the small ResNet's 3×3 ones.
const cases: ops.ConvShape[] = [
  { batch: 2, inC: 1, h: 28, w: 28, outC: 16, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 },
  { batch: 1, inC: 16, h: 14, w: 14, outC: 32, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 },
  { batch: 1, inC: 32, h: 7, w: 7, outC: 64, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
  { batch: 3, inC: 16, h: 14, w: 14, outC: 32, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
  { batch: 3, inC: 3, h: 11, w: 9, outC: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { batch: 1, inC: 9, h: 9, w: 9, outC: 3, kh: 3, kw: 3, sh: 2, sw: 2, ph: 0, pw: 0 },
  { batch: 5, inC: 1, h: 13, w: 8, outC: 7, kh: 5, kw: 3, sh: 1, sw: 2, ph: 2, pw: 1 },
  { batch: 2, inC: 5, h: 6, w: 21, outC: 9, kh: 3, kw: 7, sh: 1, sw: 3, ph: 1, pw: 3 },
  { batch: 2, inC: 2, h: 3, w: 3, outC: 4, kh: 5, kw: 5, sh: 1, sw: 1, ph: 1, pw: 1 },
];

// The fused ReLU on every other case (it changes only the forward epilogue).
const runs = cases.map((shape, i) => ({ shape, reluAfter: i % 2 === 1 }));
const FAMILIES = ['conv2d.forward', 'conv2d.input_grad', 'conv2d.weight_grad'];

describe.each(Object.keys(TILES))('conv2d %s', (variant) => {
  pinVariants(FAMILIES, variant);

  test.each(runs)('%o', ({ shape, reluAfter }) => checkConv2d(shape, reluAfter));
});

// Every forward variant adds the same products in the same order (the taps in order from the first, the
// bias last), so the autotuner's choice changes no bit of a forward pass: a fused and an unfused plan,
// tuned apart, agree exactly, and so do two adapters that chose differently.
test.each([
  { family: 'conv2d.forward', variants: ['direct', 'tap-major', ...Object.keys(TILES)], shape: cases[0] },
  { family: 'conv2d.forward', variants: ['direct', 'tap-major', ...Object.keys(TILES)], shape: cases[4] },
  { family: 'conv2d_general.forward', variants: ['general', ...Object.keys(TILES)], shape: { batch: 2, inC: 8, h: 9, w: 7, outC: 12, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 2, dh: 2, dw: 2, groups: 2 } },
])('every $family variant gives the same bits: $variants', async ({ family, variants, shape }) => {
  const engine = await testEngine();
  const outputs: Uint32Array[] = [];
  try {
    for (const variant of variants) {
      engine.autotune.pin(family, variant);
      outputs.push(words((await checkedConv2dRun(shape, false)).output));
    }
  } finally {
    engine.autotune.pin(family, undefined);
  }
  for (const [i, output] of outputs.entries()) expect([...output], variants[i]).toEqual([...outputs[0]]);
});
