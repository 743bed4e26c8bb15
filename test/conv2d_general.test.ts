// conv2d_general.wgsl (through the Conv2d layer: groups, dilation, padding 'same' and 'valid'): forward,
// input, weight and bias gradients against the float64 reference, and the options PyTorch refuses.
// The family's tiled variants are checked in conv2d_tiled_grouped.test.ts; here every pass is pinned to
// the general kernel.
import { describe, expect, test } from 'vitest';
import { ConfigError, ShapeError } from '../src/gpu/errors';
import { Conv2d, type Conv2dOptions } from '../src/layers/conv2d';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { pinVariants, randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

type Options = Omit<Conv2dOptions, 'inChannels' | 'outChannels' | 'kernelSize' | 'stride'>;

// Each case: the reference's shape (its pads written out as PyTorch resolves them) and the layer options
// that must mean the same. Awkward on purpose: batch 1, odd sizes, groups that divide the channels in
// different ways, even kernels whose 'same' padding is one larger on the bottom and right.
const cases: Array<{ s: ops.ConvShape; options: Options }> = [
  { s: { batch: 2, inC: 4, h: 7, w: 9, outC: 6, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 2 }, options: { padding: 1, groups: 2 } },
  // Depthwise, and depthwise with a channel multiplier of 2.
  { s: { batch: 3, inC: 5, h: 11, w: 8, outC: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, groups: 5 }, options: { padding: 1, groups: 5 } },
  { s: { batch: 1, inC: 3, h: 9, w: 9, outC: 6, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, groups: 3 }, options: { padding: 2, groups: 3 } },
  // Dilation 2, and a dilated kernel that spans the whole input (one output row).
  { s: { batch: 2, inC: 3, h: 10, w: 7, outC: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 2, dh: 2, dw: 2 }, options: { padding: 2, dilation: 2 } },
  { s: { batch: 1, inC: 2, h: 5, w: 8, outC: 3, kh: 3, kw: 2, sh: 1, sw: 2, ph: 0, pw: 1, dh: 2, dw: 3 }, options: { padding: [0, 1], dilation: [2, 3] } },
  // 'same': odd kernels with dilation (even totals), even kernels (odd totals: the extra on the bottom and right).
  { s: { batch: 1, inC: 2, h: 7, w: 6, outC: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 3, dh: 2, dw: 3 }, options: { padding: 'same', dilation: [2, 3] } },
  { s: { batch: 2, inC: 3, h: 8, w: 5, outC: 2, kh: 4, kw: 2, sh: 1, sw: 1, ph: 1, pw: 0, pb: 2, pr: 1 }, options: { padding: 'same' } },
  { s: { batch: 2, inC: 4, h: 6, w: 7, outC: 4, kh: 2, kw: 2, sh: 1, sw: 1, ph: 1, pw: 1, pb: 2, pr: 2, dh: 3, dw: 3, groups: 2 }, options: { padding: 'same', dilation: 3, groups: 2 } },
  // 'valid' with groups, and without (the tuned kernels of conv2d.wgsl, padding 0).
  { s: { batch: 2, inC: 2, h: 6, w: 6, outC: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0, groups: 2 }, options: { padding: 'valid', groups: 2 } },
  { s: { batch: 1, inC: 3, h: 7, w: 5, outC: 2, kh: 3, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0 }, options: { padding: 'valid' } },
  // Strides with groups.
  { s: { batch: 2, inC: 4, h: 9, w: 11, outC: 8, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, groups: 4 }, options: { padding: 1, groups: 4 } },
  { s: { batch: 3, inC: 6, h: 11, w: 10, outC: 4, kh: 3, kw: 3, sh: 2, sw: 3, ph: 1, pw: 2, dh: 2, dw: 1, groups: 2 }, options: { padding: [1, 2], dilation: [2, 1], groups: 2 } },
];

/** "2×4×7×9 → 6, k3×3 s1×1 {padding: 1, groups: 2}": a case's shape and options in one line. */
function caseName(s: ops.ConvShape, options: Options): string {
  return `${s.batch}×${s.inC}×${s.h}×${s.w} → ${s.outC}, k${s.kh}×${s.kw} s${s.sh}×${s.sw} ${JSON.stringify(options)}`;
}

/** Runs one case through the layer on the GPU and compares every output with the reference (F32 tolerances). */
async function checkCase(s: ops.ConvShape, options: Options, reluAfter: boolean, bias: boolean): Promise<void> {
  const engine = await testEngine();
  const random = new Random(s.batch * 1000 + s.inC * 100 + s.kh * 10 + s.outC);
  const layer = new Conv2d({ inChannels: s.inC, outChannels: s.outC, kernelSize: [s.kh, s.kw], stride: [s.sh, s.sw], bias, ...options });
  const [oh, ow] = ops.convOutSize(s);
  expect(layer.outputShape([s.inC, s.h, s.w])).toEqual([s.outC, oh, ow]);
  const input = randomArray(random, s.batch * s.inC * s.h * s.w);
  const weight = randomArray(random, (s.outC * s.inC * s.kh * s.kw) / (s.groups ?? 1), -0.5, 0.5);
  const biasValues = bias ? randomArray(random, s.outC) : new Float32Array(s.outC);
  const gradOutput = randomArray(random, s.batch * s.outC * oh * ow);
  const params: Record<string, Float32Array> = bias ? { weight, bias: biasValues } : { weight };
  const run = await runLayer(engine, layer, { batch: s.batch, inputShape: [s.inC, s.h, s.w], input, params, gradOutput, fusion: { activationAfter: reluAfter ? 'relu' : undefined } });

  const pre = ops.conv2dForward(s, f64(input), f64(weight), f64(biasValues));
  // With the fused ReLU, elements within 1e-4 of the kink may round either way in f32: not compared.
  const nearKink = (i: number) => reluAfter && Math.abs(pre[i]) < 1e-4;
  expectClose('output', run.output, reluAfter ? ops.relu(pre) : pre, undefined, nearKink);
  const { gx, gw, gb } = ops.conv2dBackward(s, f64(input), f64(weight), f64(gradOutput));
  expectClose('input gradient', run.gradInput!, gx);
  expectClose('weight gradient', run.grads.weight, gw);
  if (bias) expectClose('bias gradient', run.grads.bias, gb);
  else expect(run.grads.bias).toBeUndefined();
}

pinVariants(['conv2d_general.forward', 'conv2d_general.input_grad', 'conv2d_general.weight_grad'], 'general');

describe.each([
  { reluAfter: false, bias: true },
  { reluAfter: true, bias: true },
  { reluAfter: true, bias: false },
])('conv2d general (%o)', ({ reluAfter, bias }) => {
  test.each(cases.map((c) => [caseName(c.s, c.options), c] as const))('%s', (_, { s, options }) => checkCase(s, options, reluAfter, bias));
});

test("padding 'same' keeps the input's size, whatever the kernel and dilation", () => {
  for (const kernelSize of [1, 2, 3, 4, 5] as const)
    for (const dilation of [1, 2, 3] as const) {
      const layer = new Conv2d({ inChannels: 2, outChannels: 3, kernelSize, dilation, padding: 'same' });
      expect(layer.outputShape([2, 9, 8])).toEqual([3, 9, 8]);
    }
});

test('weights hold in/groups channels, initialised in ±1/√(in/groups·kh·kw); FLOPs fall by the groups', () => {
  const layer = new Conv2d({ inChannels: 8, outChannels: 4, kernelSize: [3, 2], groups: 4 });
  const [weight, bias] = layer.tensors();
  expect(weight.shape).toEqual([4, 2, 3, 2]);
  expect(weight.init).toEqual({ kind: 'uniform', bound: 1 / Math.sqrt(2 * 3 * 2) });
  expect(bias.init).toEqual(weight.init);
  // 4 channels of 3 × 4 outputs, each 2 input channels · 6 taps, one multiply-add (2 FLOPs) each.
  expect(layer.forwardFlops([8, 5, 5])).toBe(4 * 3 * 4 * 2 * 6 * 2);
});

test.each([
  [() => new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 3 }), /groups is 3 with 4 input and 6 output channels\. groups must divide both channel counts: one of 1, 2\./],
  [() => new Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, groups: 0 }), /groups must be a positive integer/],
  [() => new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: 'same' }), /padding is 'same' with stride 2×2\. padding 'same' needs stride 1/],
  [() => new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, dilation: [1, 0] }), /dilation\[1\] is 0\. dilation\[1\] must be a positive integer/],
  [() => new Conv2d({ inChannels: 2, outChannels: 2, kernelSize: 3, padding: 'full' as 'same' }), /padding is 'full'\. padding must be an integer ≥ 0, a pair of them, 'same' \(stride 1 only\) or 'valid'/],
])('options are refused with a ConfigError naming the layer and what is valid (%#)', (make, message) => {
  expect(make).toThrow(ConfigError);
  expect(make).toThrow(/^Conv2d/);
  expect(make).toThrow(message);
});

test('an input smaller than the dilated kernel is a ShapeError that gives the size needed', () => {
  const layer = new Conv2d({ name: 'atrous', inChannels: 1, outChannels: 1, kernelSize: 3, dilation: 3, padding: [1, 0] });
  expect(layer.outputShape([1, 5, 7])).toEqual([1, 1, 1]);
  const small = () => layer.outputShape([1, 4, 7]);
  expect(small).toThrow(ShapeError);
  expect(small).toThrow('Conv2d "atrous": got shape [1, 4, 7], expected a height of at least 5 for kernel 3 with dilation 3 (spanning 7) and padding 1 + 1 (padded height 6 < 7)');
});
