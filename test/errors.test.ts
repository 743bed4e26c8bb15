// Impossible configurations fail before any GPU work, with a typed error naming the layer, the shapes
// and what would be valid; WebGPU's own errors come back as KernelErrors naming the kernel.
import { describe, expect, test } from 'vitest';
import {
  Adam, Conv2d, ConfigError, Dataset, DisposedError, Flatten, KernelError, Linear, MaxPool2d, NoAdapterError,
  NonFiniteLossError, ReLU, SGD, Sequential, ShapeError, referenceCnn,
} from '../src/index';
import { createNodeEngine } from '../src/gpu/node_host';
import type { DatasetSource } from '../src/data/dataset';
import { BufferGroup } from '../src/gpu/buffer_group';
import { KernelRegistry } from '../src/gpu/kernel';
import { testEngine } from './support/gpu';

describe('layer configuration', () => {
  test.each([
    ['Conv2d with 0 output channels', () => new Conv2d({ inChannels: 1, outChannels: 0, kernelSize: 3 }), ConfigError, 'Conv2d: outChannels is 0. outChannels must be a positive integer.'],
    ['a negative kernel', () => new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: -3 }), ConfigError, 'kernelSize is -3'],
    ['stride 0', () => new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, stride: 0 }), ConfigError, 'stride is 0'],
    ['negative padding', () => new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: -1 }), ConfigError, 'padding must be an integer ≥ 0'],
    ['fractional channels', () => new Conv2d({ inChannels: 1.5, outChannels: 4, kernelSize: 3 }), ConfigError, 'inChannels is 1.5'],
    ['Linear with -1 inputs', () => new Linear({ inFeatures: -1, outFeatures: 10 }), ConfigError, 'Linear: inFeatures is -1'],
    ['pool padding over half the kernel', () => new MaxPool2d({ kernelSize: 2, padding: 2 }), ConfigError, 'padding 2 is more than half the kernel 2'],
    ['Adam lr NaN', () => new Adam({ lr: NaN }), ConfigError, 'Adam: lr is NaN'],
    ['Adam beta 1', () => new Adam({ betas: [0.9, 1] }), ConfigError, 'betas[1] is 1'],
    ['SGD lr Infinity', () => new SGD({ lr: Infinity }), ConfigError, 'SGD: lr is Infinity'],
    ['Nesterov without momentum', () => new SGD({ lr: 0.1, nesterov: true }), ConfigError, 'nesterov needs momentum > 0'],
  ])('%s', (_, make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });
});

describe('shapes, checked when the model is built', () => {
  test('a kernel larger than the padded input', async () => {
    const engine = await testEngine();
    const make = () => new Sequential(engine, [new Conv2d({ name: 'big', inChannels: 1, outChannels: 2, kernelSize: 7, padding: 1 }), new Flatten(), new Linear({ inFeatures: 2, outFeatures: 2 })], { inputShape: [1, 4, 4] });
    expect(make).toThrow(ShapeError);
    expect(make).toThrow('Conv2d "big": got shape [1, 4, 4], expected a height of at least 5 for kernel 7 with padding 1 (padded height 6 < kernel 7)');
  });

  test('channels that do not match', async () => {
    const engine = await testEngine();
    const make = () => new Sequential(engine, [new Conv2d({ inChannels: 3, outChannels: 2, kernelSize: 3 }), new Flatten(), new Linear({ inFeatures: 2, outFeatures: 2 })], { inputShape: [1, 28, 28] });
    expect(make).toThrow('Conv2d "0": got shape [1, 28, 28], expected [3, height, width]');
  });

  test('a Linear after a convolution without Flatten', async () => {
    const engine = await testEngine();
    const make = () => new Sequential(engine, [new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new ReLU(), new Linear({ name: 'fc', inFeatures: 1352, outFeatures: 10 })], { inputShape: [1, 28, 28] });
    expect(make).toThrow('Linear "fc": got shape [2, 26, 26], expected [1352] (add a Flatten layer before it)');
  });

  test('a Linear with the wrong number of inputs', async () => {
    const engine = await testEngine();
    const make = () => new Sequential(engine, [new Flatten(), new Linear({ inFeatures: 780, outFeatures: 10 })], { inputShape: [1, 28, 28] });
    expect(make).toThrow('got shape [784], expected [780]');
  });

  test('a model whose output is not class scores predicts, but refuses to fit or evaluate', async () => {
    const engine = await testEngine();
    const features = new Sequential(engine, [new ReLU()], { inputShape: [1, 2, 2] });
    expect(features.classes).toBeUndefined();
    const out = await features.predict(new Float32Array([-1, 2, -3, 4]));
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect([...out.data]).toEqual([0, 2, 0, 4]);
    const data = Dataset.upload(engine, { samples: new Float32Array(4), labels: [0], sampleShape: [1, 2, 2] });
    features.compile({ optimizer: new Adam() });
    await expect(features.fit(data, { batchSize: 1 })).rejects.toThrow('Sequential.fit: the model\'s output has shape [1, 2, 2], not class scores');
    await expect(features.evaluate(data)).rejects.toThrow(ConfigError);
    await features.dispose();
    data.dispose();
  });
});

describe('data and calls', () => {
  test('a dataset whose samples do not match its labels', async () => {
    const engine = await testEngine();
    const make = () => Dataset.upload(engine, { samples: new Uint8Array(100), labels: [1, 2], sampleShape: [1, 28, 28] });
    expect(make).toThrow(ShapeError);
    expect(make).toThrow('got shape [100], expected 2 labels × 784 values per sample = 1568 values');
  });

  test.each([
    ['no sampleShape', { samples: new Uint8Array(4), labels: [1] }, 'sampleShape is undefined'],
    ['no labels', { samples: new Uint8Array(4), sampleShape: [1, 2, 2] }, 'labels is undefined'],
    ['samples as numbers', { samples: [0, 1, 2, 3], labels: [1], sampleShape: [1, 2, 2] }, 'samples must be a Uint8Array or a Float32Array'],
    ['samples as doubles', { samples: new Float64Array(4), labels: [1], sampleShape: [1, 2, 2] }, 'samples must be a Uint8Array or a Float32Array'],
  ])('a dataset source with %s, from plain JavaScript', async (_, source, message) => {
    const engine = await testEngine();
    const make = () => Dataset.upload(engine, source as unknown as DatasetSource);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });

  test('a batch of the wrong shape, a label out of range, a batch larger than the data', async () => {
    const engine = await testEngine();
    const model = referenceCnn(engine);
    model.compile({ optimizer: new Adam() });
    const wrongShape = Dataset.upload(engine, { samples: new Uint8Array(2 * 784), labels: [1, 2], sampleShape: [1, 784] });
    await expect(model.fit(wrongShape)).rejects.toThrow('got shape [1, 784], expected [1, 28, 28], the model\'s input shape');
    const badLabel = Dataset.upload(engine, { samples: new Uint8Array(2 * 784), labels: [1, 12], sampleShape: [1, 28, 28] });
    await expect(model.fit(badLabel, { batchSize: 2 })).rejects.toThrow('a label is 12. Labels must be below 10');
    const small = Dataset.upload(engine, { samples: new Uint8Array(2 * 784), labels: [1, 2], sampleShape: [1, 28, 28], name: 'small' });
    await expect(model.fit(small, { batchSize: 50 })).rejects.toThrow('dataset "small" has 2 samples, fewer than one batch of 50');
    await expect(model.predict(new Float32Array(700))).rejects.toThrow('expected a multiple of 784 values');
    await model.dispose();
  });

  test('fit before compile', async () => {
    const engine = await testEngine();
    const model = referenceCnn(engine);
    const data = Dataset.upload(engine, { samples: new Uint8Array(784), labels: [1], sampleShape: [1, 28, 28] });
    await expect(model.fit(data, { batchSize: 1 })).rejects.toThrow('Call model.compile({ optimizer: new Adam() }) first');
    await model.dispose();
    await expect(model.evaluate(data)).rejects.toThrow(DisposedError);
  });

  test('a NaN loss stops training and names the step', async () => {
    const engine = await testEngine();
    const model = referenceCnn(engine);
    model.compile({ optimizer: new Adam() });
    const samples = new Float32Array(4 * 784).fill(0.5);
    samples.fill(3e38, 2 * 784); // the second batch of two overflows to infinity
    const data = Dataset.upload(engine, { samples, labels: [1, 2, 3, 4], sampleShape: [1, 28, 28] });
    const fit = model.fit(data, { batchSize: 2, shuffle: false, logEvery: 1 });
    await expect(fit).rejects.toThrow(NonFiniteLossError);
    await expect(fit).rejects.toThrow('the loss became NaN at step 2');
    await model.dispose();
  });
});

describe('WebGPU errors', () => {
  test('a shader that does not compile names its kernel', async () => {
    const engine = await testEngine();
    const registry = new KernelRegistry(engine.device, { broken: '@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }' });
    await expect(registry.get('broken', 'main')).rejects.toThrow(KernelError);
    await expect(registry.get('broken', 'main')).rejects.toThrow('broken.main: WebGPU validation error');
  });

  test('a binding WebGPU rejects names the dispatch', async () => {
    const engine = await testEngine();
    const kernel = await engine.kernels.get('relu', 'forward');
    const memory = new BufferGroup(engine);
    // A uniform-only buffer bound as storage is invalid.
    const wrong = memory.createBuffer('not storage', 64, GPUBufferUsage.UNIFORM);
    await expect(engine.checked('relu on a uniform buffer', () => kernel.bind(memory, 'bad relu', { values: wrong }, { count: 4 }))).rejects.toThrow(
      /relu on a uniform buffer: WebGPU validation error/,
    );
    memory.dispose();
  });

  test('an unknown adapter choice', async () => {
    await expect(createNodeEngine({ adapter: 'metal' as never })).rejects.toThrow(NoAdapterError);
    await expect(createNodeEngine({ adapter: 'metal' as never })).rejects.toThrow('unknown adapter "metal"; valid: auto, gpu, lavapipe, swiftshader');
  });
});
