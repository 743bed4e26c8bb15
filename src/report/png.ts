// A minimal PNG encoder (8-bit grayscale or RGB, no interlace), so that a report can show images as data
// URIs with no image library. The pixels go into "stored" deflate blocks, uncompressed: a report's
// pictures are small (a 28×28 digit is 800 bytes), and this keeps the encoder free of zlib, so it runs in
// browsers and in Node alike.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The largest stored deflate block (its length field is 16 bits). */
const STORED_BLOCK = 65535;

export interface RawImage {
  width: number;
  height: number;
  /** 1: grayscale; 3: RGB. */
  channels: 1 | 3;
  /** Row by row, channels interleaved: height × width × channels bytes. */
  pixels: Uint8Array;
}

export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, pixels } = image;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0) || (channels !== 1 && channels !== 3)) {
    throw new RangeError(`encodePng: a ${width}×${height} image with ${channels} channels; give positive integer sizes and 1 or 3 channels`);
  }
  const row = width * channels;
  if (pixels.length !== row * height) throw new RangeError(`encodePng: ${pixels.length} bytes for ${width}×${height}×${channels} (${row * height})`);
  // Each row starts with its filter type: 0, none.
  const raw = new Uint8Array((row + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8);
  return concat([Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', zlibStored(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** "data:image/png;base64,…" */
export function pngDataUri(image: RawImage): string {
  const bytes = encodePng(image);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}

/** A zlib stream (RFC 1950) holding `data` in stored deflate blocks (RFC 1951 §3.2.4). */
function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / STORED_BLOCK));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  out.set([0x78, 0x01]);
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const part = data.subarray(b * STORED_BLOCK, (b + 1) * STORED_BLOCK);
    out.set([b === blocks - 1 ? 1 : 0, part.length & 0xff, part.length >>> 8, ~part.length & 0xff, (~part.length >>> 8) & 0xff], at);
    out.set(part, at + 5);
    at += 5 + part.length;
  }
  new DataView(out.buffer).setUint32(at, adler32(data));
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let [a, b] = [1, 0];
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
