// activation.wgsl (through each element-wise activation layer) against the float64 reference, forward
// and backward, on inputs across each function's range (large of both signs, near its kinks); exact
// kinks take PyTorch's gradient; erf, measured on its own; options checked before any GPU work.
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../src/gpu/errors';
import { shaderLoaders } from '../src/gpu/shader_sources';
import { ELU } from '../src/layers/elu';
import { GELU } from '../src/layers/gelu';
import { Hardswish } from '../src/layers/hardswish';
import type { Layer } from '../src/layers/layer';
import { LeakyReLU } from '../src/layers/leaky_relu';
import { Sigmoid } from '../src/layers/sigmoid';
import { SiLU } from '../src/layers/silu';
import { Tanh } from '../src/layers/tanh';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as act from './reference/activations';

interface Case { make: () => Layer; fn: act.Elementwise; kinks: number[] }

const cases: Record<string, Case> = {
  'Sigmoid': { make: () => new Sigmoid(), fn: act.sigmoid, kinks: [] },
  'Tanh': { make: () => new Tanh(), fn: act.tanh, kinks: [] },
  'LeakyReLU()': { make: () => new LeakyReLU(), fn: act.leakyRelu(0.01), kinks: [0] },
  'LeakyReLU(-0.3)': { make: () => new LeakyReLU({ negativeSlope: -0.3 }), fn: act.leakyRelu(-0.3), kinks: [0] },
  'ELU()': { make: () => new ELU(), fn: act.elu(1), kinks: [0] },
  'ELU(0.5)': { make: () => new ELU({ alpha: 0.5 }), fn: act.elu(0.5), kinks: [0] },
  'GELU()': { make: () => new GELU(), fn: act.gelu, kinks: [] },
  "GELU('tanh')": { make: () => new GELU({ approximate: 'tanh' }), fn: act.geluTanh, kinks: [] },
  'SiLU': { make: () => new SiLU(), fn: act.silu, kinks: [] },
  'Hardswish': { make: () => new Hardswish(), fn: act.hardswish, kinks: [-3, 3] },
};

/** Every fifth value of each kind: moderate, large (8 to 30, either sign), near a kink (0.01 to 0.3 away), near 0, in ±3. */
function interestingInputs(random: Random, n: number, kinks: number[]): Float32Array {
  const sign = () => (random.next() < 0.5 ? -1 : 1);
  const near = [0, ...kinks];
  return Float32Array.from({ length: n }, (_, i) => {
    switch (i % 5) {
      case 0: return random.uniform(-6, 6);
      case 1: return sign() * random.uniform(8, 30);
      case 2: return near[Math.floor(random.next() * near.length)] + sign() * random.uniform(0.01, 0.3);
      case 3: return random.uniform(-0.3, 0.3);
      default: return random.uniform(-3, 3);
    }
  });
}

const shapes: Array<[number, number[]]> = [[1, [1]], [1, [63]], [4, [250]], [2, [3, 5, 7]]];

describe.each(Object.entries(cases))('%s', (_, c) => {
  test.each(shapes)('batch %i, shape %o: forward and backward equal the float64 reference', async (batch, shape) => {
    const engine = await testEngine();
    const random = new Random(batch * 31 + shape.length);
    const size = batch * shape.reduce((a, b) => a * b, 1);
    const input = interestingInputs(random, size, c.kinks);
    const gradOutput = randomArray(random, size);
    const run = await runLayer(engine, c.make(), { batch, inputShape: shape, input, gradOutput });
    expectClose('output', run.output, act.forward(c.fn, f64(input)));
    expectClose('input gradient', run.gradInput!, act.backward(c.fn, f64(input), f64(gradOutput)));
  });
});

// PyTorch's derivatives on the kinks themselves (ATen's leaky_relu_backward, elu_backward, hardswish_backward).
test.each([
  ['LeakyReLU(0.2) at 0', () => new LeakyReLU({ negativeSlope: 0.2 }), [0], [0.2]],
  ['ELU(0.5) at 0', () => new ELU({ alpha: 0.5 }), [0], [0.5]],
  ['Hardswish at −3 and 3', () => new Hardswish(), [-3, 3], [-0.5, 1.5]],
] as const)('%s: PyTorch\'s gradient', async (_, make, at, expected) => {
  const engine = await testEngine();
  const input = Float32Array.from(at);
  const run = await runLayer(engine, make(), { batch: 1, inputShape: [at.length], input, gradOutput: new Float32Array(at.length).fill(1) });
  expect([...run.gradInput!]).toEqual(expected.map(Math.fround));
});

// The shader's erf alone, through an extra entry point on the same text.
const ERF_PROBE = `
@compute @workgroup_size(64)
fn erf_probe(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= p.count) { return; }
  output[gid.x] = erf(input[gid.x]);
}`;

test('erf in f32: relative error under 2e-7 over [−6, 6]', async () => {
  const engine = await testEngine();
  const { BufferGroup } = await import('../src/gpu/buffer_group');
  engine.kernels.define('activation_erf_probe', (await shaderLoaders.activation()) + ERF_PROBE);
  const x = Float32Array.from({ length: 12001 }, (_, i) => -6 + i * 0.001);
  const memory = new BufferGroup(engine);
  try {
    const input = memory.floats('erf probe input', x.length);
    engine.write(input, 0, x);
    const output = memory.floats('erf probe output', x.length);
    const probe = (await engine.kernels.get('activation_erf_probe', 'erf_probe')).bind(memory, 'erf probe', { input, output }, { count: x.length, negative_slope: 0, alpha: 0 });
    const encoder = engine.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    probe.record(pass, x.length);
    pass.end();
    engine.device.queue.submit([encoder.finish()]);
    const y = new Float32Array(await engine.read(output, 0, x.byteLength));
    let relative = 0;
    let absolute = 0;
    x.forEach((v, i) => {
      const ref = act.erf(v);
      const d = Math.abs(y[i] - ref);
      absolute = Math.max(absolute, d);
      if (ref !== 0) relative = Math.max(relative, d / Math.abs(ref));
      else expect(y[i]).toBe(0);
    });
    console.log(`erf (f32, ${x.length} points in [−6, 6]): largest relative error ${relative.toExponential(2)}, absolute ${absolute.toExponential(2)}`);
    expect(relative).toBeLessThan(2e-7);
  } finally {
    memory.dispose();
  }
});

test.each([
  [() => new LeakyReLU({ negativeSlope: NaN }), 'LeakyReLU: negativeSlope is NaN. negativeSlope must be a finite number (PyTorch\'s default is 0.01).'],
  [() => new LeakyReLU({ name: 'act', negativeSlope: '0.1' as unknown as number }), 'LeakyReLU "act": negativeSlope is 0.1. negativeSlope must be a finite number'],
  [() => new ELU({ alpha: Infinity }), 'ELU: alpha is Infinity. alpha must be a finite number (PyTorch\'s default is 1.0).'],
  [() => new GELU({ approximate: 'erf' as 'none' }), 'GELU: approximate is "erf". approximate must be \'none\' (exact, the default) or \'tanh\'.'],
])('options are refused with a ConfigError naming the layer and what is valid (%#)', (make, message) => {
  expect(make).toThrow(ConfigError);
  expect(make).toThrow(message);
});

test("defaults are PyTorch's", () => {
  expect(new LeakyReLU().negativeSlope).toBe(0.01);
  expect(new ELU().alpha).toBe(1);
  expect(new GELU().approximate).toBe('none');
});
