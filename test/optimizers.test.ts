// adam.wgsl and sgd.wgsl against torch.optim semantics in float64, over several steps (bias correction,
// momentum's first step) with weight decay, reading a learning rate that changes every step (a schedule's).
import { describe, test } from 'vitest';
import { BufferGroup } from '../src/gpu/buffer_group';
import { Adam } from '../src/optim/adam';
import type { Optimizer } from '../src/optim/optimizer';
import { SGD } from '../src/optim/sgd';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const STEPS = 4;
/** The learning rate of step t (1-based), as a schedule would set it: the update must read it every step. */
const rateAt = (lr: number, t: number) => lr * (1 - 0.2 * (t - 1));

async function runOptimizer(optimizer: Optimizer, params: Float32Array, grads: Float32Array[]): Promise<Float32Array> {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const p = memory.floats('params', params.length);
    const g = memory.floats('grads', params.length);
    engine.write(p, 0, params);
    const rate = memory.floats('learning rate', 1);
    const bound = await optimizer.bind(memory, { params: p, grads: g, count: params.length, rate });
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

const sizes = [1, 63, 1000, 28938];

describe('Adam', () => {
  test.each([
    [{ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }],
    [{ lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01 }],
  ])('%o', async (h) => {
    for (const n of sizes) {
      const random = new Random(n);
      const params = randomArray(random, n);
      const grads = Array.from({ length: STEPS }, () => randomArray(random, n));
      const gpu = await runOptimizer(new Adam({ lr: h.lr, betas: [h.beta1, h.beta2], eps: h.eps, weightDecay: h.weightDecay }), params, grads);
      const p = f64(params);
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      grads.forEach((g, t) => ops.adamStep({ ...h, lr: rateAt(h.lr, t + 1) }, t + 1, p, f64(g), m, v));
      expectClose(`params (n = ${n})`, gpu, p);
    }
  });
});

describe('SGD', () => {
  test.each([
    [{ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }],
    [{ lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-3, nesterov: false }],
    [{ lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0, nesterov: false }],
    [{ lr: 0.02, momentum: 0.8, dampening: 0, weightDecay: 0.01, nesterov: true }],
  ])('%o', async (h) => {
    for (const n of sizes) {
      const random = new Random(n + 1);
      const params = randomArray(random, n);
      const grads = Array.from({ length: STEPS }, () => randomArray(random, n));
      const gpu = await runOptimizer(new SGD(h), params, grads);
      const p = f64(params);
      const buf = new Float64Array(n);
      grads.forEach((g, t) => ops.sgdStep({ ...h, lr: rateAt(h.lr, t + 1) }, t + 1, p, f64(g), buf));
      expectClose(`params (n = ${n})`, gpu, p);
    }
  });
});
