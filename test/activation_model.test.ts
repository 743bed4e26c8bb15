// The activations inside a model: after a Conv2d with a fused ReLU (whose mask reads the convolution's
// output, which the activation must leave intact), a training step gives the float64 reference's
// gradients; a model ending in Softmax predicts the reference's probabilities.
import { expect, test } from 'vitest';
import { Conv2d, Dataset, Flatten, GELU, Linear, ReLU, SGD, Sequential, Sigmoid, Softmax } from '../src/index';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { testEngine } from './support/gpu';
import * as act from './reference/activations';
import * as ops from './reference/ops';

test('Conv2d, ReLU, Sigmoid, Linear: a training step gives the reference\'s gradients', async () => {
  const engine = await testEngine();
  const model = new Sequential(engine, [
    new Conv2d({ name: 'conv', inChannels: 1, outChannels: 3, kernelSize: 3, padding: 1 }),
    new ReLU(), new Sigmoid({ name: 'squash' }), new Flatten(),
    new Linear({ name: 'fc', inFeatures: 3 * 6 * 6, outFeatures: 4 }),
  ], { inputShape: [1, 6, 6], seed: 5 });
  expect(model.summary()).toContain('squash (Sigmoid)');
  const random = new Random(11);
  const samples = Uint8Array.from({ length: 5 * 36 }, () => random.below(256));
  const labels = Uint32Array.from({ length: 5 }, () => random.below(4));
  const batch = Dataset.upload(engine, { samples, labels, sampleShape: [1, 6, 6] });
  const p = await model.getParameters();
  const get = (name: string) => f64(p.get(name)!.data);
  model.compile({ optimizer: new SGD({ lr: 0 }) });
  await model.fit(batch, { batchSize: 5, shuffle: false, maxSteps: 1 });
  const grads = await model.getGradients();
  batch.dispose();

  const x = f64(Float32Array.from(samples, (v) => v / 255));
  const s = { batch: 5, inC: 1, h: 6, w: 6, outC: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 };
  const rectified = ops.relu(ops.conv2dForward(s, x, get('conv.weight'), get('conv.bias')));
  const squashed = act.forward(act.sigmoid, rectified);
  const logits = ops.linearForward(5, 108, 4, squashed, get('fc.weight'), get('fc.bias'));
  const { grad } = ops.softmaxCrossEntropy(5, 4, logits, [...labels]);
  const fc = ops.linearBackward(5, 108, 4, squashed, get('fc.weight'), grad);
  const conv = ops.conv2dBackward(s, x, get('conv.weight'), ops.reluBackward(rectified, act.backward(act.sigmoid, rectified, fc.gx)));
  expectClose('fc.weight gradient', grads.get('fc.weight')!.data, fc.gw);
  expectClose('conv.weight gradient', grads.get('conv.weight')!.data, conv.gw);
  expectClose('conv.bias gradient', grads.get('conv.bias')!.data, conv.gb);
  model.dispose();
});

test('Linear, GELU, Linear, Softmax: predict gives the reference\'s probabilities', async () => {
  const engine = await testEngine();
  const model = new Sequential(engine, [
    new Linear({ name: '0', inFeatures: 7, outFeatures: 12 }), new GELU({ name: '1' }),
    new Linear({ name: '2', inFeatures: 12, outFeatures: 5 }), new Softmax({ name: '3', dim: -1 }),
  ], { inputShape: [7], seed: 2 });
  const random = new Random(4);
  const samples = Float32Array.from({ length: 3 * 7 }, () => random.uniform(-3, 3));
  const probabilities = await model.predict(samples);
  const p = await model.getParameters();
  const get = (name: string) => f64(p.get(name)!.data);
  const hidden = act.forward(act.gelu, ops.linearForward(3, 7, 12, f64(samples), get('0.weight'), get('0.bias')));
  const expected = act.softmax(5, ops.linearForward(3, 12, 5, hidden, get('2.weight'), get('2.bias')));
  expect(probabilities.shape).toEqual([3, 5]);
  expectClose('probabilities', probabilities.data, expected);
  model.dispose();
});

test('fit refuses a model ending in Softmax, before any GPU work, and says how to train it', async () => {
  const engine = await testEngine();
  const model = new Sequential(engine, [new Flatten(), new Linear({ name: 'fc', inFeatures: 4, outFeatures: 3 }), new Softmax({ name: 'probabilities' })], { inputShape: [1, 2, 2] });
  model.compile({ optimizer: new SGD({ lr: 0.1 }) });
  const data = Dataset.upload(engine, { samples: new Float32Array(8), labels: [0, 2], sampleShape: [1, 2, 2] });
  await expect(model.fit(data, { batchSize: 2 })).rejects.toThrow('Sequential.fit: the model ends in Softmax "probabilities", whose output is probabilities. fit applies softmax cross-entropy to the logits');
  expect(model.step).toBe(0);
  await model.dispose();
  data.dispose();
});
