// Linear's variants (linear.wgsl's barrier-free kernels and conv2d_tiled.wgsl's tiles, each pinned in turn
// for the forward pass, the input gradient and the weight gradient) against the float64 reference, with a
// fused ReLU (in place) or SiLU (kept apart from the pre-activation) or none. Outputs are poisoned first.
// Tolerances: the project's f32 ones (test/support/compare.ts: ‖gpu − ref‖/‖ref‖ ≤ 1e-5, each element
// within 1e-4 + 1e-3·|ref|); elements within 1e-4 of ReLU's kink are not compared.
import { describe, expect, test } from 'vitest';
import { Linear, ReLU, SiLU, type Layer } from '../src/index';
import { TILES } from '../src/layers/conv2d_tiled';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { words } from './support/batchnorm_check';
import { pinVariants, randomArray, runLayer, testEngine, type LayerRun } from './support/gpu';
import * as act from './reference/activations';
import * as ops from './reference/ops';

const FAMILIES = ['linear.forward', 'linear.input_grad', 'linear.weight_grad'];
const VARIANTS = ['direct', ...Object.keys(TILES)];
const relu: act.Elementwise = { f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0) };
const ACTIVATIONS: Record<string, { make: () => Layer; fn: act.Elementwise; kink: boolean }> = {
  relu: { make: () => new ReLU(), fn: relu, kink: true },
  silu: { make: () => new SiLU(), fn: act.silu, kink: false },
};

interface Case { batch: number; inF: number; outF: number; activation?: keyof typeof ACTIVATIONS }

// SwiftShader runs barriers slowly: there fc1 (9216 → 128) runs at batch 2 rather than 50.
const fc1Batch = process.env.WEBGPU_ADAPTER === 'swiftshader' ? 2 : 50;

// Awkward for tiles of 16 or 32 rows × 32 or 64 columns and reduction steps of 8: features that are no
// multiple of 4 or of a tile, batch 1 and odd batches, fewer outputs than a tile's rows, a reduction of one
// step or shorter; then this project's reference CNN's output layer (1568 → 10), and the fc1 and fc2 of
// PyTorch's MNIST example network (fc1's input and weight gradients span many tiles of 9216 features).
const cases: Case[] = [
  { batch: 1, inF: 7, outF: 5, activation: 'relu' },
  { batch: 3, inF: 13, outF: 11, activation: 'silu' },
  { batch: 5, inF: 3, outF: 1 },
  { batch: 7, inF: 65, outF: 129, activation: 'relu' },
  { batch: 33, inF: 130, outF: 17, activation: 'silu' },
  { batch: 2, inF: 1, outF: 70 },
  { batch: 50, inF: 1568, outF: 10 },
  { batch: 50, inF: 128, outF: 10, activation: 'silu' },
  { batch: fc1Batch, inF: 9216, outF: 128, activation: 'relu' },
];

async function run(c: Case, seed: number) {
  const random = new Random(seed);
  const input = randomArray(random, c.batch * c.inF);
  // Weights spread as PyTorch's initialisation, so pre-activations of any fan-in reach both sides of 0.
  const bound = 3 / Math.sqrt(c.inF);
  const weight = randomArray(random, c.outF * c.inF, -bound, bound);
  const bias = randomArray(random, c.outF);
  const gradOutput = randomArray(random, c.batch * c.outF);
  const activation = c.activation ? ACTIVATIONS[c.activation].make() : undefined;
  const layer = new Linear({ inFeatures: c.inF, outFeatures: c.outF });
  const result = await runLayer(await testEngine(), layer, { batch: c.batch, inputShape: [c.inF], input, params: { weight, bias }, gradOutput, training: true, activation });
  return { result, input, weight, bias, gradOutput };
}

/** A run's pre-activation, output and gradients as f32 bit patterns. */
const bits = (r: LayerRun) => [r.preActivation!, r.output, r.gradInput!, r.grads.weight, r.grads.bias].map((values) => [...words(values)]);

describe.each(VARIANTS)('linear %s', (variant) => {
  pinVariants(FAMILIES, variant);

  test.each(cases)('%o: forward, input and weight gradients equal the float64 reference', async (c) => {
    const { result, input, weight, bias, gradOutput } = await run(c, c.batch * 1000 + c.inF + c.outF);
    const pre = ops.linearForward(c.batch, c.inF, c.outF, f64(input), f64(weight), f64(bias));
    const fn = c.activation ? ACTIVATIONS[c.activation].fn : undefined;
    const nearKink = (i: number) => c.activation !== undefined && ACTIVATIONS[c.activation].kink && Math.abs(pre[i]) < 1e-4;
    expectClose('output', result.output, fn ? act.forward(fn, pre) : pre, undefined, nearKink);
    // ReLU runs in place on the layer's output; SiLU keeps the pre-activation apart.
    if (c.activation === 'silu') expectClose('pre-activation', result.preActivation!, pre);
    // The layer's backward takes the gradient of its pre-activation (the activation's backward pass gives it).
    const gradPre = fn ? act.backward(fn, pre, f64(gradOutput)) : f64(gradOutput);
    const { gx, gw, gb } = ops.linearBackward(c.batch, c.inF, c.outF, f64(input), f64(weight), gradPre);
    expectClose('input gradient', result.gradInput!, gx);
    expectClose('weight gradient', result.grads.weight, gw);
    expectClose('bias gradient', result.grads.bias, gb);
  });

  test('two runs give the same bits: every sum is taken in a fixed order', async () => {
    const c: Case = { batch: 9, inF: 300, outF: 37, activation: 'silu' };
    const [a, b] = [await run(c, 5), await run(c, 5)];
    expect(bits(b.result)).toEqual(bits(a.result));
  });
});

// Every variant adds the same products in the same order (from 0, along the reduction, the bias last), so
// the autotuner's choice changes no bit: a fused and an unfused plan, tuned apart, still agree exactly.
test.each<Case>([
  { batch: 6, inF: 77, outF: 35, activation: 'silu' },
  { batch: 50, inF: 1568, outF: 10, activation: 'relu' },
])('every variant gives the same bits: %o', async (c) => {
  const engine = await testEngine();
  const results = [];
  for (const variant of VARIANTS) {
    for (const family of FAMILIES) engine.autotune.pin(family, variant);
    results.push((await run(c, 3)).result);
  }
  for (const family of FAMILIES) engine.autotune.pin(family, undefined);
  for (const other of results.slice(1)) expect(bits(other)).toEqual(bits(results[0]));
});

test('without a bias, a tiled forward pass adds zeros', async () => {
  const engine = await testEngine();
  for (const family of FAMILIES) engine.autotune.pin(family, Object.keys(TILES)[0]);
  try {
    const random = new Random(11);
    const [batch, inF, outF] = [3, 21, 6];
    const input = randomArray(random, batch * inF);
    const weight = randomArray(random, outF * inF, -0.3, 0.3);
    const gradOutput = randomArray(random, batch * outF);
    const run = await runLayer(engine, new Linear({ inFeatures: inF, outFeatures: outF, bias: false }), { batch, inputShape: [inF], input, params: { weight }, gradOutput });
    expectClose('output', run.output, ops.linearForward(batch, inF, outF, f64(input), f64(weight), new Float64Array(outF)));
    const { gx, gw } = ops.linearBackward(batch, inF, outF, f64(input), f64(weight), f64(gradOutput));
    expectClose('input gradient', run.gradInput!, gx);
    expectClose('weight gradient', run.grads.weight, gw);
  } finally {
    for (const family of FAMILIES) engine.autotune.pin(family, undefined);
  }
});
