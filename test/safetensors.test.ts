// The safetensors format: byte-identical to the reference writer (its own test vectors, and a PyTorch
// state_dict written by test/fixtures/make_torch_fixture.py, which safetensors 0.8's save_file reproduces
// byte for byte); PyTorch's weights give PyTorch's logits here; and every malformed file is refused with
// its own reason, quickly, leaving the model's weights exactly as they were.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import { CheckpointError, decodeSafetensors, encodeSafetensors, loadWeights, referenceCnn, saveWeights, type CheckpointErrorReason, type Sequential, type Tensor } from '../src/index';
import { loadMnistFromPackage } from '../src/data/mnist_node';
import { testEngine } from './support/gpu';

const FIXTURE = new URL('./fixtures/reference_cnn.safetensors', import.meta.url);
const LOGITS = new URL('./fixtures/reference_cnn_logits.json', import.meta.url);
const text = new TextEncoder();

/** A file from a header (object or raw JSON text) and data, with the header length as written, or as given. */
function file(header: unknown, data: Uint8Array = new Uint8Array(), declaredLength?: bigint): Uint8Array {
  const json = text.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const floatBytes = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe('the format, against the reference implementation', () => {
  // The vectors of safetensors' own tests (safetensors/src/tensor.rs): header, then its space padding.
  test.each([
    ['one tensor, header already a multiple of 8', { 'attn.0': [1, 2, 3] }, undefined, '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}', 0],
    ['padding to align the data', { attn0: [1, 1, 2, 3] }, undefined, '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}', 7],
    ['no tensors', {}, undefined, '{}', 6],
    ['metadata only', {}, { framework: 'pt' }, '{"__metadata__":{"framework":"pt"}}', 5],
  ])('%s', (_, shapes, metadata, header, padding) => {
    const tensors = new Map(Object.entries(shapes).map(([name, shape]) => [name, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i) }]));
    const bytes = encodeSafetensors(tensors, metadata);
    const expectedHeader = header + ' '.repeat(padding);
    expect(new DataView(bytes.buffer).getBigUint64(0, true)).toBe(BigInt(expectedHeader.length));
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + expectedHeader.length))).toBe(expectedHeader);
    const values = [...tensors.values()].flatMap((t) => [...t.data]);
    expect([...bytes.subarray(8 + expectedHeader.length)]).toEqual([...floatBytes(values)]);
    const decoded = decodeSafetensors(bytes);
    expect({ ...decoded.metadata }).toEqual(metadata ?? {});
    expect([...decoded.tensors.values()].map((t) => t.shape)).toEqual(Object.values(shapes));
  });

  test('a PyTorch state_dict file is read and written back byte for byte', async () => {
    const bytes = new Uint8Array(await readFile(FIXTURE));
    const decoded = decodeSafetensors(bytes);
    expect([...decoded.tensors.keys()]).toEqual(['conv1.0.bias', 'conv1.0.weight', 'conv2.0.bias', 'conv2.0.weight', 'out.bias', 'out.weight']);
    expect({ ...decoded.metadata }).toEqual({ format: 'pt' });
    const tensors = new Map([...decoded.tensors].map(([name, entry]) => [name, { shape: entry.shape, data: new Float32Array(decoded.data.slice(entry.start, entry.end).buffer) }]));
    // Names sorted in another order on purpose: the writer sorts them as the reference does.
    const shuffled = new Map([...tensors].reverse());
    expect(encodeSafetensors(shuffled, { format: 'pt' })).toEqual(bytes);
  });

  test('tensors are found by offset, whatever their order in the header', () => {
    const bytes = file({ b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, floatBytes([1, 2]));
    const decoded = decodeSafetensors(bytes);
    expect(decoded.tensors.get('b')).toMatchObject({ start: 4, end: 8 });
  });
});

describe('weights from PyTorch', () => {
  test('PyTorch\'s state_dict loads unchanged and gives PyTorch\'s logits (within 1e-4 relative)', async () => {
    const engine = await testEngine();
    const expected = JSON.parse(await readFile(LOGITS, 'utf8')) as { images: number[]; logits: number[][] };
    const mnist = await loadMnistFromPackage();
    const model = referenceCnn(engine, { seed: 1 });
    try {
      const bytes = new Uint8Array(await readFile(FIXTURE));
      await loadWeights(model, bytes, { source: 'reference_cnn.safetensors' });
      const images = mnist.test.images.subarray(0, expected.images.length * 784);
      const got = await model.predict(images);
      const ref = expected.logits.flat();
      const scale = Math.max(...ref.map(Math.abs));
      const worst = Math.max(...ref.map((r, i) => Math.abs(got.data[i] - r) / Math.max(Math.abs(r), 1)));
      console.log(`largest difference from PyTorch's logits: ${worst.toExponential(2)} (relative; logits up to ${scale.toFixed(1)})`);
      expect(got.shape).toEqual([expected.images.length, 10]);
      expect(worst).toBeLessThanOrEqual(1e-4);
      // And back: what this model saves is the very file PyTorch's state_dict made.
      expect(await saveWeights(model)).toEqual(bytes);
    } finally {
      await model.dispose();
    }
  });
});

describe('malformed files: a typed error each, quickly, and the weights untouched', () => {
  let model: Sequential;
  let before: Map<string, Tensor>;
  let good: Uint8Array;
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  let data: Uint8Array;

  beforeAll(async () => {
    model = referenceCnn(await testEngine(), { seed: 3 });
    before = await model.getParameters();
    good = new Uint8Array(await readFile(FIXTURE));
    const length = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
    header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + length)));
    data = good.slice(8 + length);
    return () => model.dispose();
  });

  /** The fixture with its header changed by `edit` (data unchanged unless `edit` returns new data). */
  const edited = (edit: (h: typeof header) => Uint8Array | void) => {
    const h = structuredClone(header);
    const newData = edit(h) ?? data;
    return file(h, newData);
  };
  const entry = (h: typeof header, name: string) => h[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
  /** Sets value `value` at float index `index` of tensor `name`. */
  const poke = (name: string, index: number, value: number) => {
    const copy = data.slice();
    new DataView(copy.buffer).setFloat32(entry(header, name).data_offsets[0] + 4 * index, value, true);
    return file(header, copy);
  };

  const cases: Array<[string, CheckpointErrorReason, () => Uint8Array]> = [
    ['an empty file', 'truncated', () => new Uint8Array()],
    ['five bytes', 'truncated', () => good.slice(0, 5)],
    ['the file cut in the middle of its data', 'truncated', () => good.slice(0, good.length - 1000)],
    ['the file cut inside its header', 'header-out-of-bounds', () => good.slice(0, 100)],
    ['a header length of 2^60', 'header-too-large', () => file({}, new Uint8Array(), 2n ** 60n)],
    ['a header length of 2^64 − 1', 'header-too-large', () => file({}, new Uint8Array(), 2n ** 64n - 1n)],
    ['a header length beyond the file', 'header-out-of-bounds', () => file('{}', new Uint8Array(), 1000n)],
    ['a header that is not JSON', 'header-not-json', () => file('{"conv1.0.bias": {"dtype": "F32",')],
    ['a header that is not UTF-8', 'header-not-json', () => {
      const bytes = file('{"a?":{}}');
      bytes[8 + 3] = 0xff; // a byte that never occurs in UTF-8
      return bytes;
    }],
    ['a header nested 100,000 deep', 'header-not-json', () => file('['.repeat(100_000) + ']'.repeat(100_000))],
    ['a header that is a JSON array', 'header-not-object', () => file('[]')],
    ['a header that is a JSON string', 'header-not-object', () => file('"conv1.0.weight"')],
    ['a tensor named twice', 'duplicate-name', () => {
      const json = JSON.stringify(header);
      const bias = `"conv1.0.bias":${JSON.stringify(header['conv1.0.bias'])}`;
      return file(json.replace(bias, `${bias},${bias}`), data);
    }],
    ['an entry without data_offsets', 'bad-entry', () => edited((h) => void delete (entry(h, 'out.bias') as Partial<ReturnType<typeof entry>>).data_offsets)],
    ['an entry with an extra field', 'bad-entry', () => edited((h) => void Object.assign(entry(h, 'out.bias'), { offsets: [0, 1] }))],
    ['a negative dimension', 'bad-entry', () => edited((h) => void (entry(h, 'out.bias').shape = [-10]))],
    ['metadata that is not a map of strings', 'bad-metadata', () => edited((h) => void (h.__metadata__ = { format: 1 } as never))],
    ['an unknown dtype', 'unknown-dtype', () => edited((h) => void (entry(h, 'out.bias').dtype = 'F33'))],
    ['a dtype this engine does not load (F64)', 'unsupported-dtype', () => edited((h) => {
      const e = entry(h, 'out.bias');
      e.dtype = 'F64';
      e.shape = [5];
    })],
    ['a shape whose size overflows', 'size-overflow', () => edited((h) => void (entry(h, 'out.bias').shape = [2 ** 40, 2 ** 40]))],
    ['offsets beyond any file', 'size-overflow', () => edited((h) => void (entry(h, 'out.weight').data_offsets = [2 ** 60, 2 ** 60 + 62720]))],
    ['a shape that does not match its offsets', 'size-mismatch', () => edited((h) => void (entry(h, 'out.bias').shape = [11]))],
    ['offsets that end before they start', 'offsets-reversed', () => edited((h) => void (entry(h, 'out.bias').data_offsets = [entry(h, 'out.bias').data_offsets[1], entry(h, 'out.bias').data_offsets[0]]))],
    ['two tensors that overlap', 'offsets-overlap', () => edited((h) => {
      const end = entry(h, 'conv1.0.bias').data_offsets[1];
      entry(h, 'conv1.0.weight').data_offsets = [end - 4, end - 4 + 1600];
    })],
    ['a gap between tensors', 'offsets-gap', () => edited((h) => {
      for (const name of Object.keys(h)) if (name !== '__metadata__' && name !== 'conv1.0.bias') entry(h, name).data_offsets = entry(h, name).data_offsets.map((o) => o + 8) as [number, number];
      const grown = new Uint8Array(data.length + 8);
      grown.set(data.subarray(0, 64));
      grown.set(data.subarray(64), 72);
      return grown;
    })],
    ['bytes after the last tensor', 'trailing-bytes', () => file(header, Uint8Array.from([...data, 0, 0, 0, 0]))],
    ['an absurd size the file does not have (2^50 bytes)', 'truncated', () => file({ ...header, huge: { dtype: 'F32', shape: [2 ** 48], data_offsets: [data.length, data.length + 2 ** 50] } }, data)],
    ['a missing tensor', 'missing-tensor', () => edited((h) => {
      delete h['out.weight'];
      return data.subarray(0, entry(header, 'out.weight').data_offsets[0]);
    })],
    ['an extra tensor', 'unexpected-tensor', () => file({ ...header, 'fc.weight': { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] } }, Uint8Array.from([...data, 0, 0, 0, 0]))],
    ['a wrong shape', 'shape-mismatch', () => edited((h) => void (entry(h, 'conv1.0.weight').shape = [16, 25]))],
    ['a weight that is NaN', 'not-finite', () => poke('conv2.0.weight', 1234, NaN)],
    ['a bias that is +Infinity', 'not-finite', () => poke('out.bias', 9, Infinity)],
    ['a weight that is −Infinity', 'not-finite', () => poke('out.weight', 0, -Infinity)],
  ];

  test.each(cases)('%s: %s', async (_, reason, make) => {
    const bytes = make();
    const started = performance.now();
    const error = await loadWeights(model, bytes, { source: 'hostile.safetensors' }).then(() => undefined, (e: unknown) => e);
    const seconds = (performance.now() - started) / 1000;
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).reason, (error as Error).message).toBe(reason);
    expect((error as Error).message).toMatch(/^hostile\.safetensors: /);
    expect(seconds).toBeLessThan(0.5);
    expect(await model.getParameters()).toEqual(before);
  });

  test('the untouched fixture loads (so each case above fails only by its own fault)', async () => {
    await loadWeights(model, good);
    expect((await model.getParameters()).get('out.bias')!.data).not.toEqual(before.get('out.bias')!.data);
    model.setParameters(before);
  });
});
