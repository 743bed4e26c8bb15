// The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
// (0x00, 0x00, a type byte, a dimension count), one big-endian u32 per dimension, then the values,
// big-endian. Works on bytes alone, so the browser (fetch) and Node (fs) share it.
import { EngineError } from '../gpu/errors';

export type IdxDtype = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxFile {
  dtype: IdxDtype;
  dims: number[];
  /** The values in file order; for ubyte a view of the given bytes (no copy). */
  data: IdxData;
}

/** A file that is not valid IDX, or not the IDX data that was expected. */
export class IdxError extends EngineError {
  static {
    this.prototype.name = 'IdxError';
  }

  constructor(
    readonly file: string,
    readonly problem: string,
    readonly expected: string,
  ) {
    super(`${file}: ${problem}; expected ${expected}`);
  }
}

interface DtypeInfo {
  dtype: IdxDtype;
  size: number;
  /** Copies `count` big-endian values out of `view` into a native-endian array. */
  read?: (view: DataView, count: number) => IdxData;
}

function readBigEndian<T extends Int16Array | Int32Array | Float32Array | Float64Array>(
  make: new (n: number) => T, size: number, get: (view: DataView, at: number) => number,
) {
  return (view: DataView, count: number): T => {
    const out = new make(count);
    for (let i = 0; i < count; i++) out[i] = get(view, i * size);
    return out;
  };
}

const DTYPES: ReadonlyMap<number, DtypeInfo> = new Map<number, DtypeInfo>([
  [0x08, { dtype: 'ubyte', size: 1 }],
  [0x09, { dtype: 'sbyte', size: 1 }],
  [0x0b, { dtype: 'short', size: 2, read: readBigEndian(Int16Array, 2, (v, at) => v.getInt16(at)) }],
  [0x0c, { dtype: 'int', size: 4, read: readBigEndian(Int32Array, 4, (v, at) => v.getInt32(at)) }],
  [0x0d, { dtype: 'float', size: 4, read: readBigEndian(Float32Array, 4, (v, at) => v.getFloat32(at)) }],
  [0x0e, { dtype: 'double', size: 8, read: readBigEndian(Float64Array, 8, (v, at) => v.getFloat64(at)) }],
]);

const MAGIC = 'an IDX file starting with 0x00 0x00, a type byte (0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float, 0x0E double) and a dimension count';

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0').toUpperCase()}`;

/** Parses an IDX file; `fileName` only names the file in errors. */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxFile {
  if (bytes.length === 0) throw new IdxError(fileName, 'the file is empty', MAGIC);
  if (bytes.length < 4) throw new IdxError(fileName, `the file has ${bytes.length} bytes, shorter than the 4-byte header`, MAGIC);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    // The files are often distributed gzipped; say so rather than only "bad magic".
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this is a gzip file: decompress it first)' : '';
    throw new IdxError(fileName, `wrong magic number ${[...bytes.subarray(0, 4)].map(hex).join(' ')}${gzip}`, MAGIC);
  }
  const info = DTYPES.get(bytes[2]);
  if (!info) throw new IdxError(fileName, `wrong magic number: unknown type byte ${hex(bytes[2])}`, MAGIC);
  const rank = bytes[3];
  if (rank === 0) throw new IdxError(fileName, 'the header declares zero dimensions', 'at least one dimension');
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw new IdxError(fileName, `the file has ${bytes.length} bytes, shorter than its header`, `${headerSize} header bytes for ${rank} dimensions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataSize = bytes.length - headerSize;
  if (dataSize !== count * info.size) {
    const what = dataSize < count * info.size ? 'truncated' : `${dataSize - count * info.size} bytes too long`;
    throw new IdxError(
      fileName,
      `the data has ${dataSize} bytes (${what})`,
      `[${dims.join(', ')}] × ${info.size}-byte ${info.dtype} = ${count * info.size} bytes`,
    );
  }
  const offset = bytes.byteOffset + headerSize;
  let data: IdxData;
  if (info.dtype === 'ubyte') data = bytes.subarray(headerSize);
  else if (info.dtype === 'sbyte') data = new Int8Array(bytes.buffer, offset, count);
  else data = info.read!(new DataView(bytes.buffer, offset, dataSize), count);
  return { dtype: info.dtype, dims, data };
}
