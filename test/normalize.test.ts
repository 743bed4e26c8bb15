// Per-channel normalisation in the batch gather (shaders/gather_batch.wgsl): bytes equal normalizeSample
// bit for bit (the CPU path predictions use) and torchvision's float64 formula within the f32 tolerance;
// floats within the tolerance; bad mean/std refused before any GPU work. And the storage-binding limit:
// a dataset larger than one binding is refused, naming the limit and the largest count that fits.
import { describe, expect, test } from 'vitest';
import { checkBindingLimit, Dataset, type DatasetSource } from '../src/data/dataset';
import { normalizeSample } from '../src/data/normalize';
import type { Engine } from '../src/gpu/engine';
import { ConfigError, DatasetTooLargeError, ShapeError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { expectClose } from './support/compare';
import { gatherBatch } from './support/gather';
import { testEngine } from './support/gpu';

/** torchvision: ToTensor() (x / 255), then Normalize: (x − mean[c]) / std[c], in float64. */
function torchvision(values: ArrayLike<number>, shape: readonly number[], scale: number, mean: number[], std: number[]): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const plane = size / shape[0];
  return Float64Array.from(values as ArrayLike<number>, (v, k) => {
    const c = Math.floor((k % size) / plane);
    return (v * scale - mean[c]) / std[c];
  });
}

describe('normalised batches', () => {
  test.each([
    { shape: [3, 5, 7], batch: 4, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    { shape: [1, 28, 28], batch: 1, mean: [0.1307], std: [0.3081] },
    { shape: [2, 1, 3], batch: 6, mean: [-3, 1e6], std: [1e-3, 7] },
    { shape: [10], batch: 3, mean: Array.from({ length: 10 }, (_, c) => c / 10), std: Array.from({ length: 10 }, (_, c) => 1 + c) },
  ])('bytes $shape, batch $batch: normalizeSample bit for bit, torchvision within f32', async ({ shape, batch, mean, std }) => {
    const engine = await testEngine();
    const random = new Random(shape[0] * 17 + batch);
    const size = shape.reduce((a, b) => a * b, 1);
    const count = batch + 2;
    const samples = Uint8Array.from({ length: count * size }, () => random.below(256));
    const order = random.permutation(count);
    const got = await gatherBatch(engine, { samples, shape, batch, order, start: 1, normalize: { mean, std } });
    const picked = new Uint8Array(batch * size);
    for (let n = 0; n < batch; n++) picked.set(samples.subarray(order[1 + n] * size, (order[1 + n] + 1) * size), n * size);
    const cpu = normalizeSample(picked, shape, 1 / 255, { mean, std });
    const differing = got.reduce((d, v, k) => d + (Object.is(v, cpu[k]) ? 0 : 1), 0);
    expect(differing, 'elements that differ from normalizeSample').toBe(0);
    expectClose('normalised batch', got, torchvision(picked, shape, 1 / 255, mean, std));
  });

  test('floats [3, 4, 2] with a scale: torchvision\'s formula within f32', async () => {
    const engine = await testEngine();
    const random = new Random(5);
    const shape = [3, 4, 2];
    const samples = Float32Array.from({ length: 5 * 24 }, () => random.uniform(-10, 10));
    const order = random.permutation(5);
    const [mean, std] = [[0.5, -1, 2], [0.5, 3, 0.01]];
    const engineRun = gatherBatch(engine, { samples, shape, batch: 3, order, start: 2, normalize: { mean, std } });
    const picked = Array.from({ length: 3 }, (_, n) => Array.from(samples.subarray(order[2 + n] * 24, (order[2 + n] + 1) * 24))).flat();
    expectClose('normalised batch', await engineRun, torchvision(picked, shape, 1, mean, std));
  });
});

/** An engine whose device has `limit` bytes per storage binding and which records what it would upload. */
function fakeEngine(limit: number): Engine & { uploads: string[] } {
  const uploads: string[] = [];
  return { device: { limits: { maxStorageBufferBindingSize: limit } }, uploads, upload: (label: string) => (uploads.push(label), {}) } as unknown as Engine & { uploads: string[] };
}

const source = (count: number, shape: number[], floats = false, extra: Partial<DatasetSource> = {}): DatasetSource => {
  const size = count * shape.reduce((a, b) => a * b, 1);
  return { samples: floats ? new Float32Array(size) : new Uint8Array(size), labels: new Uint32Array(count), sampleShape: shape, name: 'limit', ...extra };
};

describe('bad mean and std are refused before any GPU work', () => {
  test.each<[string, unknown, RegExp]>([
    ['too few means', { mean: [0.5, 0.5], std: [1, 1, 1] }, /normalize\.mean is 2 values.*Give 3 numbers/],
    ['too many stds', { mean: [0, 0, 0], std: [1, 1, 1, 1] }, /normalize\.std is 4 values/],
    ['a zero std', { mean: [0, 0, 0], std: [1, 0, 1] }, /normalize\.std\[1\] is 0.*finite number > 0/],
    ['a negative std', { mean: [0, 0, 0], std: [1, 1, -2] }, /normalize\.std\[2\] is -2/],
    ['an infinite std', { mean: [0, 0, 0], std: [Infinity, 1, 1] }, /normalize\.std\[0\] is Infinity/],
    ['a NaN mean', { mean: [0, NaN, 0], std: [1, 1, 1] }, /normalize\.mean\[1\] is NaN.*finite number/],
    ['no std', { mean: [0, 0, 0] }, /normalize\.std is undefined/],
    ['not an object', 0.5, /normalize is 0\.5.*\{ mean, std \}/],
  ])('%s', (_, normalize, message) => {
    const engine = fakeEngine(2 ** 20);
    const upload = () => Dataset.upload(engine, source(2, [3, 2, 2], false, { normalize: normalize as DatasetSource['normalize'] }));
    expect(upload).toThrow(ConfigError);
    expect(upload).toThrow(message);
    expect(engine.uploads).toEqual([]);
  });

  test('normalizeSample checks its arguments too', () => {
    expect(() => normalizeSample(new Uint8Array(10), [3, 2, 2], 1 / 255, { mean: [0, 0, 0], std: [1, 1, 1] })).toThrow(ShapeError);
    expect(() => normalizeSample(new Uint8Array(12), [3, 2, 2], 1 / 255, { mean: [0], std: [1] })).toThrow(/normalize\.mean is 1 values/);
    expect(() => normalizeSample(new Uint8Array(12), [3, 2, 2], NaN, { mean: [0, 0, 0], std: [1, 1, 1] })).toThrow(/scale is NaN/);
  });
});

describe('a dataset larger than one storage binding is refused, naming the limit and the largest count that fits', () => {
  test.each([
    ['bytes [1, 4, 4]', [1, 4, 4], false, 1000, 62],
    ['floats [1, 4, 4]', [1, 4, 4], true, 1000, 15],
    ['single bytes (the labels are larger)', [1, 1, 1], false, 1000, 250],
  ] as const)('%s under a limit of %i bytes', (_, shape, floats, limit, largest) => {
    const fits = fakeEngine(limit);
    Dataset.upload(fits, source(largest, [...shape], floats));
    expect(fits.uploads).toEqual(['limit samples', 'limit labels', 'limit normalization']);
    const over = fakeEngine(limit);
    let error: unknown;
    try {
      Dataset.upload(over, source(largest + 1, [...shape], floats));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetTooLargeError);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ name: 'DatasetTooLargeError', count: largest + 1, limit, largestCount: largest });
    expect(String(error)).toMatch(new RegExp(`${largest + 1} samples need a binding of \\d+ bytes, more than the adapter's maxStorageBufferBindingSize of ${limit} bytes.*at most ${largest} samples`));
    expect(over.uploads).toEqual([]);
  });

  test('on this adapter: one 1 MiB sample past its limit is refused, a count at the limit passes', async () => {
    const limit = (await testEngine()).device.limits.maxStorageBufferBindingSize;
    const sample = 2 ** 20;
    const largest = Math.floor(limit / sample);
    expect(() => checkBindingLimit('test', largest, sample, limit)).not.toThrow();
    expect(() => checkBindingLimit('test', largest + 1, sample, limit)).toThrow(DatasetTooLargeError);
    expect(() => checkBindingLimit('test', largest + 1, sample, limit)).toThrow(`at most ${largest} samples`);
  });
});
