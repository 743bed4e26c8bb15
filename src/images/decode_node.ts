// PNG and JPEG decoding in Node, with pngjs and jpeg-js: pure JavaScript (no native build, no download at
// install; 0.8 MB together), optional peers of this package loaded only when a picture is decoded. The
// header is checked first (inspect.ts), so no decoder is handed a file that declares an absurd size.
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { ConfigError } from '../gpu/errors';
import { ImageError } from './errors';
import { inspectImage, MAX_IMAGE_PIXELS, type ImageHeader } from './inspect';
import type { RgbaImage } from './rgba_image';

interface PngModule {
  PNG: { sync: { read(buffer: Buffer, options?: object): { width: number; height: number; data: Buffer } } };
}
interface JpegModule {
  decode(data: Uint8Array, options: object): { width: number; height: number; data: Uint8Array };
}

const PACKAGES = { pngjs: '7.0.0', 'jpeg-js': '0.4.4' } as const;

function load<T>(name: keyof typeof PACKAGES): T {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch {
    throw new ConfigError(
      'decodeImage',
      `the npm package "${name}" is not installed (an optional peer dependency of webgpu-cnn, needed to decode images in Node)`,
      `Install it beside webgpu-cnn: npm install pngjs@${PACKAGES.pngjs} jpeg-js@${PACKAGES['jpeg-js']}`,
    );
  }
}

/**
 * Decodes a PNG or JPEG file to RGBA (8 bits, not premultiplied). Palettes and tRNS transparency become
 * RGBA; 1-, 2- and 4-bit samples scale to 8 bits and 16-bit ones round to 8 (pngjs: ⌊v · 255 / 65535 + ½⌋);
 * gAMA, iCCP and EXIF orientation are ignored (as PIL's Image.open and a browser with
 * colorSpaceConversion 'none' do). Truncated or corrupt data throws ImageError naming `name`.
 */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<RgbaImage> {
  const header = inspectImage(bytes, name);
  const decoded = header.format === 'png' ? decodePng(bytes, header, name) : decodeJpeg(bytes, name);
  if (decoded.width !== header.width || decoded.height !== header.height) {
    throw new ImageError(name, 'corrupt', `decoded ${decoded.width} × ${decoded.height} pixels, the header says ${header.width} × ${header.height}`, 'A valid image file');
  }
  return decoded;
}

function decodePng(bytes: Uint8Array, header: ImageHeader, name: string): RgbaImage {
  const { PNG } = load<PngModule>('pngjs');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // pngjs bounds the inflated size of a plain PNG by what its header needs, but inflates an interlaced
  // one without a limit: bound that here, so a small file cannot inflate to gigabytes.
  if (header.interlaced) checkInflatedSize(bytes, header, name);
  try {
    const png = PNG.sync.read(buffer, { checkCRC: true });
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (error) {
    throw decodeError(name, bytes, 'PNG', error);
  }
}

function decodeJpeg(bytes: Uint8Array, name: string): RgbaImage {
  const jpeg = load<JpegModule>('jpeg-js');
  try {
    // Not tolerant: a truncated scan is an error (as in PIL), not an image with grey blocks.
    const image = jpeg.decode(bytes, {
      useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024,
    });
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    throw decodeError(name, bytes, 'JPEG', error);
  }
}

function decodeError(name: string, bytes: Uint8Array, format: 'PNG' | 'JPEG', error: unknown): ImageError {
  const message = error instanceof Error ? error.message : String(error);
  const reason = (format === 'PNG' ? pngComplete(bytes) : jpegComplete(bytes)) ? 'corrupt' : 'truncated';
  return new ImageError(name, reason, `the ${format} data cannot be decoded (${message})`, `Give a complete, valid ${format} file`);
}

/** Whether the chunks run, whole, up to an IEND chunk: if not, the file was cut short. */
function pngComplete(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 8; pos + 12 <= bytes.length; pos += 12 + view.getUint32(pos)) {
    if (pos + 12 + view.getUint32(pos) > bytes.length) return false;
    if (String.fromCharCode(...bytes.subarray(pos + 4, pos + 8)) === 'IEND') return true;
  }
  return false;
}

/** Whether the file ends with JPEG's end-of-image marker: if not, it was cut short. */
function jpegComplete(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
}

/** Inflates an interlaced PNG's IDAT data with a limit of the bytes its seven passes need. */
function checkInflatedSize(bytes: Uint8Array, header: ImageHeader, name: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bitsPerPixel = [1, 0, 3, 1, 2, 0, 4][bytes[25]] * bytes[24];
  let limit = 0;
  // Adam7: each pass's pixels, one filter byte per row.
  for (const [x0, y0, dx, dy] of [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]]) {
    const w = Math.ceil((header.width - x0) / dx);
    const h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) limit += h * (1 + Math.ceil((w * bitsPerPixel) / 8));
  }
  const parts: Uint8Array[] = [];
  for (let pos = 8; pos + 8 <= bytes.length; ) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (type === 'IDAT') parts.push(bytes.subarray(pos + 8, Math.min(pos + 8 + length, bytes.length)));
    pos += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: Math.max(limit, 1) });
  } catch (error) {
    throw decodeError(name, bytes, 'PNG', error);
  }
}
