// A minimal PNG writer (Node): 8-bit gray, gray + alpha, RGB or RGBA, every row with filter 0 ("None"),
// one IDAT chunk compressed by node:zlib. Enough for generated datasets and report images; not tuned
// for size.
import { deflateSync } from 'node:zlib';
import { crc32 } from './crc32';

export interface PngPixels {
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA: interleaved, row by row. */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

const COLOUR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** The PNG file of `pixels` (interleaved, `width × height × channels` bytes). */
export function encodePng(pixels: PngPixels): Uint8Array {
  const { width, height, channels, data } = pixels;
  const stride = width * channels;
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height)) || !(channels in COLOUR_TYPE) || data.length !== stride * height) {
    throw new RangeError(`encodePng: ${data.length} bytes for ${width} × ${height} × ${channels}; give width, height ≥ 1, channels 1–4 and width × height × channels bytes`);
  }
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, COLOUR_TYPE[channels], 0, 0, 0], 8);
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(signature);
  let pos = 8;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out, 4, 8 + body.length));
  return out;
}
