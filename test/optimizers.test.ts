// adam.wgsl and sgd.wgsl against torch.optim semantics (Adam, AdamW, SGD) in float64, over several steps
// (bias correction, momentum's first step), reading a learning rate that changes every step (a schedule's),
// on a real parameter layout: tensors of 1, 63, 1000 and 28938 elements with the aligned gaps between them,
// and parameter groups that give biases and BatchNorm weights their own weight decay.
import { describe, expect, test } from 'vitest';
import { BufferGroup } from '../src/gpu/buffer_group';
import { ConfigError } from '../src/gpu/errors';
import { Adam, AdamW } from '../src/optim/adam';
import type { Optimizer } from '../src/optim/optimizer';
import type { ParamGroup } from '../src/optim/param_groups';
import { SGD } from '../src/optim/sgd';
import { Random } from '../src/random';
import type { TensorEntry } from '../src/tensor_layout';
import { expectClose, f64 } from './support/compare';
import { testEngine } from './support/gpu';
import { awkwardLayout, onParameters } from './support/parameter_layout';
import * as ops from './reference/ops';

const STEPS = 4;
/** The learning rate of step t (1-based), as a schedule would set it: the update must read it every step. */
const rateAt = (lr: number, t: number) => lr * (1 - 0.2 * (t - 1));

const layout = awkwardLayout;
const count = layout.parameterWords;

/** The usual "no decay for biases and normalisation weights". */
const noDecay: ParamGroup = { params: (p) => p.name.endsWith('.bias') || p.layer.kind.startsWith('BatchNorm'), weightDecay: 0 };

async function runOptimizer(optimizer: Optimizer, params: Float32Array, grads: Float32Array[]): Promise<Float32Array> {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const p = memory.floats('params', count);
    const g = memory.floats('grads', count);
    engine.write(p, 0, params);
    const rate = memory.floats('learning rate', 1);
    const bound = await optimizer.bind(memory, { params: p, grads: g, count, parameters: layout.parameters, rate });
    for (const [t, grad] of grads.entries()) {
      engine.write(g, 0, grad);
      engine.write(rate, 0, new Float32Array([rateAt(optimizer.lr, t + 1)]));
      const encoder = engine.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      bound.record(pass);
      pass.end();
      engine.device.queue.submit([encoder.finish()]);
    }
    return new Float32Array(await engine.read(p, 0, params.byteLength));
  } finally {
    memory.dispose();
  }
}

/**
 * Runs `optimizer` for STEPS steps on the GPU and `step` (one tensor's float64 reference step, with that
 * tensor's weight decay) on every parameter tensor, and compares the whole buffer, gaps included.
 */
async function expectMatchesReference<State>(
  optimizer: Optimizer, groups: readonly ParamGroup[], seed: number,
  newState: (n: number) => State, step: (t: number, lr: number, weightDecay: number, p: Float64Array, g: Float64Array, state: State) => void,
): Promise<void> {
  const random = new Random(seed);
  const params = onParameters(random);
  const grads = Array.from({ length: STEPS }, () => onParameters(random));
  const gpu = await runOptimizer(optimizer, params, grads);
  const p = f64(params);
  const decayOf = (e: TensorEntry) => groups.find((group) => group.params(e))?.weightDecay ?? optimizer.weightDecay;
  for (const e of layout.parameters) {
    const range = (a: Float64Array) => a.subarray(e.offset, e.offset + e.size);
    const state = newState(e.size);
    grads.forEach((g, t) => step(t + 1, rateAt(optimizer.lr, t + 1), decayOf(e), range(p), range(f64(g)), state));
  }
  expectClose('params', gpu, p);
}

const moments = (n: number) => ({ m: new Float64Array(n), v: new Float64Array(n) });

describe.each([
  ['Adam', Adam, ops.adamStep],
  ['AdamW', AdamW, ops.adamwStep],
] as const)('%s', (_, Kind, reference) => {
  test.each([
    [{ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, []],
    [{ lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01 }, []],
    [{ lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5 }, [noDecay]],
    [{ lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 }, [{ params: (p: TensorEntry) => p.name.startsWith('odd.'), weightDecay: 2 }, noDecay]],
  ])('%o, groups %o', async (h, groups) => {
    const optimizer = new Kind({ lr: h.lr, betas: [h.beta1, h.beta2], eps: h.eps, weightDecay: h.weightDecay, groups });
    await expectMatchesReference(optimizer, groups, 7, moments, (t, lr, weightDecay, p, g, { m, v }) => reference({ ...h, lr, weightDecay }, t, p, g, m, v));
  });
});

test('AdamW has PyTorch\'s defaults', () => {
  const adamw = new AdamW();
  expect({ kind: adamw.kind, lr: adamw.lr, betas: adamw.betas, eps: adamw.eps, weightDecay: adamw.weightDecay }).toEqual({ kind: 'AdamW', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
  expect(new Adam().weightDecay).toBe(0);
});

describe('SGD', () => {
  test.each([
    [{ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, []],
    [{ lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-3, nesterov: false }, []],
    [{ lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0, nesterov: false }, []],
    [{ lr: 0.02, momentum: 0.8, dampening: 0, weightDecay: 0.01, nesterov: true }, []],
    [{ lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0.2, nesterov: false }, [noDecay]],
  ])('%o, groups %o', async (h, groups) => {
    await expectMatchesReference(new SGD({ ...h, groups }), groups, 8, (n) => new Float64Array(n), (t, lr, weightDecay, p, g, buf) => ops.sgdStep({ ...h, lr, weightDecay }, t, p, g, buf));
  });
});

test.each([
  ['a group without a predicate', () => new AdamW({ groups: [{ weightDecay: 0 } as unknown as ParamGroup] }), 'groups[0].params is undefined'],
  ['a negative group weight decay', () => new SGD({ lr: 0.1, groups: [noDecay, { params: () => true, weightDecay: -1 }] }), 'groups[1].weightDecay is -1'],
])('%s is refused', (_, make, message) => {
  expect(make).toThrow(ConfigError);
  expect(make).toThrow(message);
});
