// The safetensors format (https://github.com/huggingface/safetensors), as its reference implementation
// writes and checks it: an 8-byte little-endian header length N; N bytes of JSON, padded with spaces to a
// multiple of 8, mapping each tensor name to { dtype, shape, data_offsets } (plus an optional
// "__metadata__" map of strings); then the tensors' bytes, little-endian, back to back with no gap.
// The writer sorts tensors as the reference's `prepare` does: by dtype in descending order of its Dtype enum
// (so I64 before F32: by alignment), then by name; and lists "__metadata__" first, so a file it writes is
// byte-identical to safetensors.torch.save_file's.
// The reader treats every file as hostile: it checks everything against the file's real length before
// it copies a byte, so a declared size, however absurd, is never allocated.
import { CheckpointError } from './errors';
import { JsonSyntaxError, parseStrictJson, type JsonValue } from './strict_json';

/** Bytes per element of every dtype the format defines, in the order of the reference's Dtype enum; this engine reads and writes F32 and I64. */
const DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The reference reader's limit on the header. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface FloatTensor {
  shape: readonly number[];
  data: Float32Array;
}

/** A tensor to write: F32, or I64 (exact 64-bit integers, such as BatchNorm's num_batches_tracked). */
export interface WritableTensor {
  shape: readonly number[];
  data: Float32Array | BigInt64Array;
}

const DTYPE_ORDER = Object.keys(DTYPE_SIZES);

/** A tensor as the header declares it; its bytes are `bytes[start, end)` of the file's data section. */
export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  start: number;
  end: number;
}

export interface SafetensorsFile {
  /** By name, in file order. */
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
  /** The data section (everything after the header), not copied. */
  data: Uint8Array;
  source?: string;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();

/** Byte-wise UTF-8 order, as Rust compares the names. */
function compareNames(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Serialises F32 and I64 tensors (and optional string metadata) exactly as safetensors.torch.save_file does. */
export function encodeSafetensors(tensors: ReadonlyMap<string, WritableTensor>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const dtypeOf = (t: WritableTensor) => (t.data instanceof BigInt64Array ? 'I64' : 'F32');
  const rank = (name: string) => DTYPE_ORDER.indexOf(dtypeOf(tensors.get(name)!));
  const names = [...tensors.keys()].sort((a, b) => rank(b) - rank(a) || compareNames(a, b));
  const header: Record<string, unknown> = {};
  // The reference writer puts "__metadata__" first; its keys come from a hash map, so any order loads, and sorting keeps ours stable.
  if (metadata) header.__metadata__ = Object.fromEntries(Object.keys(metadata).sort(compareNames).map((k) => [k, metadata[k]]));
  let offset = 0;
  const ordered: Array<[string, WritableTensor]> = [];
  for (const name of names) {
    if (name === '__metadata__') throw new TypeError('a tensor cannot be named "__metadata__"');
    const tensor = tensors.get(name)!;
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) throw new TypeError(`tensor "${name}": shape [${tensor.shape}] holds ${count} values, data has ${tensor.data.length}`);
    header[name] = { dtype: dtypeOf(tensor), shape: [...tensor.shape], data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
    ordered.push([name, tensor]);
  }
  let json = utf8.encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const bytes = new Uint8Array(padded).fill(0x20);
    bytes.set(json);
    json = bytes;
  }
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let at = 8 + padded;
  for (const [, { data }] of ordered) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    else if (data instanceof BigInt64Array) data.forEach((v, i) => view.setBigInt64(at + 8 * i, v, true));
    else data.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
    at += data.byteLength;
  }
  return out;
}

/** Parses and checks a safetensors file's header against its real length; tensor bytes are not copied. */
export function decodeSafetensors(bytes: Uint8Array, source?: string): SafetensorsFile {
  const fail = (reason: ConstructorParameters<typeof CheckpointError>[0], detail: string, tensor?: string): never => {
    throw new CheckpointError(reason, detail, source, tensor);
  };
  if (bytes.length < 8) fail('truncated', `the file has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) fail('header-too-large', `the header length is ${declared} bytes, over the limit of ${MAX_HEADER_BYTES}`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    fail('header-out-of-bounds', `the header length is ${headerLength} bytes, but only ${bytes.length - 8} bytes follow it`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('header-not-json', 'the header is not valid UTF-8');
  }
  let header: JsonValue;
  try {
    header = parseStrictJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    if (e.duplicateKey !== undefined && e.depth === 0) fail('duplicate-name', `the header names "${e.duplicateKey}" twice`, e.duplicateKey);
    if (e.duplicateKey !== undefined) fail('bad-entry', `a header entry gives the key "${e.duplicateKey}" twice`);
    return fail('header-not-json', `the header is not JSON: ${e.message}`);
  }
  if (!(header instanceof Map)) return fail('header-not-object', `the header is JSON ${Array.isArray(header) ? 'array' : typeof header}, not an object`);

  // No prototype, so a key such as "__proto__" or "toString" is only ever the file's own.
  const metadata: Record<string, string> = Object.create(null);
  const entries: TensorEntry[] = [];
  for (const [name, value] of header) {
    if (name === '__metadata__') {
      if (!(value instanceof Map)) fail('bad-metadata', '"__metadata__" is not an object');
      for (const [key, text] of value as Map<string, JsonValue>) {
        if (typeof text !== 'string') return fail('bad-metadata', `"__metadata__" holds a ${Array.isArray(text) ? 'array' : typeof text} under "${key}"; only strings are allowed`);
        metadata[key] = text;
      }
      continue;
    }
    entries.push(readEntry(name, value, fail));
  }

  // The reference reader orders tensors by offset, whatever their order in the header; then each must start where the previous ended.
  const byOffset = [...entries].sort((a, b) => a.start - b.start || a.end - b.end);
  let end = 0;
  for (const entry of byOffset) {
    if (entry.start < end) fail('offsets-overlap', `tensor "${entry.name}" starts at byte ${entry.start}, inside the tensor before it (which ends at ${end})`, entry.name);
    if (entry.start > end) fail('offsets-gap', `tensor "${entry.name}" starts at byte ${entry.start}, leaving bytes ${end} to ${entry.start} unused`, entry.name);
    end = entry.end;
  }
  const dataLength = bytes.length - 8 - headerLength;
  if (end > dataLength) fail('truncated', `the tensors need ${end} bytes of data, the file has ${dataLength}`);
  if (end < dataLength) fail('trailing-bytes', `the file has ${dataLength - end} bytes after its last tensor`);
  return { tensors: new Map(entries.map((e) => [e.name, e])), metadata, data: bytes.subarray(8 + headerLength), source };
}

type Fail = (reason: ConstructorParameters<typeof CheckpointError>[0], detail: string, tensor?: string) => never;

function readEntry(name: string, value: JsonValue, fail: Fail): TensorEntry {
  const where = `tensor "${name}"`;
  if (!(value instanceof Map)) return fail('bad-entry', `${where} is not an object`, name);
  const keys = [...value.keys()].sort().join();
  if (keys !== 'data_offsets,dtype,shape') fail('bad-entry', `${where} has the fields {${keys}}; expected {dtype, shape, data_offsets}`, name);
  const dtype = value.get('dtype');
  const shape = value.get('shape');
  const offsets = value.get('data_offsets');
  if (typeof dtype !== 'string') return fail('bad-entry', `${where}: dtype is not a string`, name);
  if (!Object.hasOwn(DTYPE_SIZES, dtype)) fail('unknown-dtype', `${where} has dtype ${JSON.stringify(dtype)}, which safetensors does not define`, name);
  const size = DTYPE_SIZES[dtype];
  const isIndex = (v: JsonValue) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex)) return fail('bad-entry', `${where}: shape is not a list of integers ≥ 0`, name);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) return fail('bad-entry', `${where}: data_offsets is not two integers ≥ 0`, name);
  const [start, end] = offsets as number[];
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) fail('size-overflow', `${where}: data_offsets [${start}, ${end}] are beyond any file`, name);
  if (end < start) fail('offsets-reversed', `${where}: data_offsets [${start}, ${end}] end before they start`, name);
  let count = 1;
  for (const d of shape as number[]) {
    count *= d;
    if (!Number.isSafeInteger(count) || !Number.isSafeInteger(count * size)) fail('size-overflow', `${where}: shape [${shape}] of ${dtype} overflows`, name);
  }
  if (end - start !== count * size) {
    fail('size-mismatch', `${where}: shape [${shape}] of ${dtype} is ${count * size} bytes, data_offsets [${start}, ${end}] span ${end - start}`, name);
  }
  return { name, dtype, shape: shape as number[], start, end };
}

/**
 * Copies one F32 tensor out of a checked file. `check` rejects NaN and infinities, naming the first one.
 * Other dtypes are refused rather than converted, so what loads is exactly what was saved.
 */
export function readFloat32(file: SafetensorsFile, entry: TensorEntry, options: { finite?: boolean } = {}): Float32Array {
  if (entry.dtype !== 'F32') {
    throw new CheckpointError('unsupported-dtype', `tensor "${entry.name}" is ${entry.dtype}; this engine loads F32 (convert with tensor.float() before saving)`, file.source, entry.name);
  }
  const count = (entry.end - entry.start) / 4;
  let values: Float32Array;
  if (LITTLE_ENDIAN) {
    // slice() copies into a fresh, aligned buffer: the data section may start at any byte.
    values = new Float32Array(file.data.slice(entry.start, entry.end).buffer);
  } else {
    const view = new DataView(file.data.buffer, file.data.byteOffset + entry.start, entry.end - entry.start);
    values = Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
  }
  if (options.finite) {
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(values[i])) {
        throw new CheckpointError('not-finite', `tensor "${entry.name}" holds ${values[i]} at index ${i}`, file.source, entry.name);
      }
    }
  }
  return values;
}

/** Copies one I64 tensor out of a checked file, exactly (64-bit integers, never through a float). */
export function readInt64(file: SafetensorsFile, entry: TensorEntry): BigInt64Array {
  if (entry.dtype !== 'I64') {
    throw new CheckpointError('unsupported-dtype', `tensor "${entry.name}" is ${entry.dtype}; this engine loads it as I64, as PyTorch saves it`, file.source, entry.name);
  }
  const view = new DataView(file.data.buffer, file.data.byteOffset + entry.start, entry.end - entry.start);
  return BigInt64Array.from({ length: (entry.end - entry.start) / 8 }, (_, i) => view.getBigInt64(8 * i, true));
}
