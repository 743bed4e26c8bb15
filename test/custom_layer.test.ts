// The layer contract from outside the engine: test/custom/swish.ts defines Swish with its own WGSL using only
// the public API. Its kernels match the float64 reference; a model with it gives the reference's gradients
// for a training step, and learns.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Adam, Conv2d, Dataset, Flatten, Linear, SGD, Sequential } from '../src/index';
import { Random } from '../src/random';
import { Swish } from './custom/swish';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import { tinyDigits } from './support/training';
import * as ops from './reference/ops';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const swish = (x: Float64Array) => x.map((v) => v * sigmoid(v));
const swishBackward = (x: Float64Array, gy: Float64Array) => x.map((v, i) => gy[i] * sigmoid(v) * (1 + v * (1 - sigmoid(v))));

describe('a user-defined layer (Swish)', () => {
  test('the README shows it as it is', () => {
    const source = readFileSync(new URL('./custom/swish.ts', import.meta.url), 'utf8').trimEnd();
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`\`\`ts\n${source}\n\`\`\``);
  });

  test('its backward is the derivative of its forward (finite differences)', () => {
    const random = new Random(3);
    const x = Float64Array.from({ length: 20 }, () => random.uniform(-4, 4));
    const gy = Float64Array.from({ length: 20 }, () => random.uniform(-1, 1));
    const g = swishBackward(x, gy);
    x.forEach((v, i) => {
      const h = 1e-6;
      const numeric = (((v + h) * sigmoid(v + h) - (v - h) * sigmoid(v - h)) / (2 * h)) * gy[i];
      expect(Math.abs(numeric - g[i])).toBeLessThan(1e-7);
    });
  });

  test.each([1, 63, 1000])('its kernels match the float64 reference (%i values)', async (n) => {
    const engine = await testEngine();
    const random = new Random(n);
    const input = randomArray(random, n, -6, 6);
    const gradOutput = randomArray(random, n);
    const run = await runLayer(engine, new Swish(), { batch: 1, inputShape: [n], input, gradOutput });
    expectClose('output', run.output, swish(f64(input)));
    expectClose('input gradient', run.gradInput!, swishBackward(f64(input), f64(gradOutput)));
  });

  test('a model with it gives the reference\'s gradients, and learns', async () => {
    const engine = await testEngine();
    const layers = () => [
      new Conv2d({ name: 'conv', inChannels: 1, outChannels: 3, kernelSize: 3, padding: 1 }),
      new Swish({ name: 'act' }),
      new Flatten(),
      new Linear({ name: 'fc', inFeatures: 3 * 8 * 8, outFeatures: 10 }),
    ];
    const model = new Sequential(engine, layers(), { inputShape: [1, 8, 8], seed: 4 });
    expect(model.summary()).toContain('act (Swish)');
    const random = new Random(9);
    const samples = Uint8Array.from({ length: 8 * 64 }, () => random.below(256));
    const labels = Uint32Array.from({ length: 8 }, () => random.below(10));
    const batch = Dataset.upload(engine, { samples, labels, sampleShape: [1, 8, 8] });
    const p = await model.getParameters();
    const get = (name: string) => f64(p.get(name)!.data);
    model.compile({ optimizer: new SGD({ lr: 0 }) });
    await model.fit(batch, { batchSize: 8, shuffle: false, maxSteps: 1 });
    const grads = await model.getGradients();

    // The same step in float64: the first batch, bytes scaled by 1/255.
    const x = f64(Float32Array.from(samples, (v) => v / 255));
    const s = { batch: 8, inC: 1, h: 8, w: 8, outC: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 };
    const pre = ops.conv2dForward(s, x, get('conv.weight'), get('conv.bias'));
    const act = swish(pre);
    const logits = ops.linearForward(8, 192, 10, act, get('fc.weight'), get('fc.bias'));
    const { grad } = ops.softmaxCrossEntropy(8, 10, logits, [...labels]);
    const fc = ops.linearBackward(8, 192, 10, act, get('fc.weight'), grad);
    const conv = ops.conv2dBackward(s, x, get('conv.weight'), swishBackward(pre, fc.gx));
    expectClose('conv.weight gradient', grads.get('conv.weight')!.data, conv.gw);
    expectClose('conv.bias gradient', grads.get('conv.bias')!.data, conv.gb);
    expectClose('fc.weight gradient', grads.get('fc.weight')!.data, fc.gw);

    batch.dispose();
    const data = tinyDigits(engine, 40, 9);
    model.compile({ optimizer: new Adam({ lr: 0.01 }) });
    const result = await model.fit(data, { batchSize: 8, epochs: 15, logEvery: 5 });
    expect(result.logs.at(-1)!.loss).toBeLessThan(result.logs[0].loss / 2);
    await model.dispose();
    data.dispose();
  });
});
