// The public API's edge: wrong arguments fail with a ConfigError before any GPU work; a batch too large for
// the adapter's storage bindings is refused by fit (naming the largest that fits) and split by evaluate and
// predict; repeated prediction allocates no GPU buffer after its first call.
import { describe, expect, test } from 'vitest';
import { Adam, ConfigError, Dataset, referenceCnn } from '../src/index';
import { testEngine } from './support/gpu';
import { tinyCnn, tinyDigits } from './support/training';

describe('arguments are checked at the edge', () => {
  test('fit and evaluate take a Dataset; predict takes a Float32Array or Uint8Array', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 1);
    model.compile({ optimizer: new Adam() });
    const arrays = { samples: new Uint8Array(64), labels: [1], sampleShape: [1, 8, 8] };
    await expect(model.fit(arrays as unknown as Dataset)).rejects.toThrow('Sequential.fit: the dataset is a Object. Pass a Dataset: Dataset.upload(engine, { samples, labels, sampleShape }).');
    await expect(model.evaluate(undefined as unknown as Dataset)).rejects.toThrow(ConfigError);
    await expect(model.predict([0.5, 0.5] as unknown as Float32Array)).rejects.toThrow('Sequential.predict: samples is Array. Give a Float32Array');
    await expect(model.predict(new Float64Array(64) as unknown as Float32Array)).rejects.toThrow(ConfigError);
    const data = tinyDigits(engine, 20, 1);
    await expect(model.evaluate(data, { limit: 0 })).rejects.toThrow('limit must be a positive integer');
    await expect(model.predict(new Float32Array(64), { batchSize: 0 })).rejects.toThrow('batchSize must be a positive integer');
    await model.dispose();
    data.dispose();
  });
});

describe('batches and the adapter\'s limits', () => {
  test('fit refuses a batch whose activations exceed a storage binding, naming the largest that fits', async () => {
    const engine = await testEngine();
    const model = referenceCnn(engine);
    model.compile({ optimizer: new Adam() });
    const limit = engine.device.limits.maxStorageBufferBindingSize;
    // The largest activation: conv1's output, 16 × 28 × 28 floats a sample.
    const largest = Math.floor(limit / (16 * 28 * 28 * 4));
    expect(model.largestBatch).toBe(largest);
    const data = Dataset.upload(engine, { samples: new Uint8Array(784), labels: [0], sampleShape: [1, 28, 28] });
    await model.boundOptimizer(); // the optimizer's state is allocated by compile
    const before = engine.bufferStats().created;
    await expect(model.fit(data, { batchSize: largest + 1 })).rejects.toThrow(
      `Sequential.fit: a batch of ${largest + 1} needs ${(largest + 1) * 12544 * 4} bytes for the output of Conv2d "conv1.0", over this adapter's limit of ${limit} bytes per storage binding. Use batchSize ≤ ${largest}.`,
    );
    expect(engine.bufferStats().created).toBe(before); // refused before any GPU work
    await model.dispose();
    data.dispose();
  });

  test('evaluate and predict split a batch larger than the bindings allow into batches that fit', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 2);
    const data = tinyDigits(engine, 30, 2);
    const whole = await model.evaluate(data, { predictions: true, batchSize: 30 });
    // tinyCnn's largest activation is 4 × 8 × 8 floats: far below the limit, so pretend the limit is small.
    Object.defineProperty(model, 'largestBatch', { get: () => 7 });
    const split = await model.evaluate(data, { predictions: true, batchSize: 1_000_000 });
    expect(split).toEqual(whole);
    const samples = new Uint8Array(30 * 64).map((_, i) => (i * 31) % 256);
    const at30 = await model.predict(samples, { batchSize: 30 });
    expect(await model.predict(samples, { batchSize: 1_000_000 })).toEqual(at30);
    await model.dispose();
    data.dispose();
  });
});

describe('repeated prediction', () => {
  test('allocates no GPU buffer after its first call, and gives what a batch gives', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 3);
    const images = new Uint8Array(5 * 64).map((_, i) => (i * 17) % 256);
    const batch = await model.predict(images);
    await model.predict(images.subarray(0, 64));
    const before = engine.bufferStats();
    for (let i = 0; i < 5; i++) {
      const one = await model.predict(images.subarray(i * 64, (i + 1) * 64));
      expect(one.shape).toEqual([1, 10]);
      expect([...one.data]).toEqual([...batch.data.subarray(i * 10, (i + 1) * 10)]);
    }
    expect(engine.bufferStats()).toEqual(before);
    // Calls made at once run one after the other, each with its own answer.
    const answers = await Promise.all([0, 1, 2].map((i) => model.predict(images.subarray(i * 64, (i + 1) * 64))));
    answers.forEach((a, i) => expect([...a.data]).toEqual([...batch.data.subarray(i * 10, (i + 1) * 10)]));
    await model.dispose();
  });
});
