// Reads what an image file declares (format, width, height) from its header, before any decoder runs,
// and refuses what no decoder should be handed: wrong magic, zero or absurd sizes, truncated or invalid
// headers, and files too short to hold the pixels they declare. It reads the header and walks PNG chunk
// headers, and allocates nothing in proportion to what the file declares.
import { crc32 } from './crc32';
import { ImageError } from './errors';

/** The largest width or height accepted (as browsers' canvas limits, and PIL's typical use). */
export const MAX_IMAGE_SIDE = 16384;
/** The largest pixel count accepted: 2^26 (8192 × 8192; 256 MiB as RGBA). */
export const MAX_IMAGE_PIXELS = 2 ** 26;

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** PNG only: Adam7 interlacing. */
  interlaced: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// PNG's allowed bit depths per colour type (PNG spec, table 11.1).
const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const VALID = 'Give a PNG or a baseline/progressive 8-bit JPEG file';

/** Checks the header of a PNG or JPEG file; throws ImageError naming `name` if it cannot be an image to decode. */
export function inspectImage(bytes: Uint8Array, name: string): ImageHeader {
  if (bytes.length === 0) throw new ImageError(name, 'truncated', 'the file is empty', VALID);
  if (startsWith(bytes, PNG_SIGNATURE)) return inspectPng(bytes, name);
  if (startsWith(bytes, [0xff, 0xd8])) return inspectJpeg(bytes, name);
  const prefixOf = (magic: number[]) => bytes.length < magic.length && magic.slice(0, bytes.length).every((b, i) => bytes[i] === b);
  if (prefixOf(PNG_SIGNATURE) || prefixOf([0xff, 0xd8])) {
    throw new ImageError(name, 'truncated', `the file ends after ${bytes.length} byte(s), inside its signature`, VALID);
  }
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new ImageError(name, 'not-an-image', `the file starts with bytes ${head}, neither PNG's signature (89 50 4e 47 0d 0a 1a 0a) nor JPEG's (ff d8)`, VALID);
}

function inspectPng(bytes: Uint8Array, name: string): ImageHeader {
  // Signature (8), IHDR's length and type (8), its 13 bytes of data and its CRC (4).
  if (bytes.length < 33) throw new ImageError(name, 'truncated', `the PNG file ends after ${bytes.length} bytes, inside its header (33 bytes)`, VALID);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (view.getUint32(8) !== 13 || type !== 'IHDR') {
    throw new ImageError(name, 'corrupt', `the first chunk is "${type}" of ${view.getUint32(8)} bytes`, 'A PNG starts with an IHDR chunk of 13 bytes');
  }
  if (crc32(bytes, 12, 29) !== view.getUint32(29)) {
    throw new ImageError(name, 'corrupt', 'the IHDR chunk fails its CRC check', 'A PNG chunk ends with the CRC-32 of its type and data');
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const [depth, colourType, compression, filter, interlace] = bytes.subarray(24, 29);
  checkSize(name, width, height);
  if (!PNG_DEPTHS[colourType]?.includes(depth)) {
    throw new ImageError(name, 'corrupt', `colour type ${colourType} with bit depth ${depth}`, 'PNG allows colour types 0, 2, 3, 4, 6 with the bit depths of its specification');
  }
  if (compression !== 0 || filter !== 0 || interlace > 1) {
    throw new ImageError(name, 'corrupt', `compression ${compression}, filter ${filter}, interlace ${interlace}`, 'PNG defines compression 0, filter 0, interlace 0 or 1');
  }
  checkPngData(bytes, view, name, Math.ceil((width * [1, 0, 3, 1, 2, 0, 4][colourType] * depth) / 8) * height);
  return { format: 'png', width, height, interlaced: interlace === 1 };
}

/** zlib compresses at most 1032:1, so IDAT data shorter than the pixels' bytes / 1032 cannot hold them:
 *  such a file is refused as truncated before any decoder allocates its declared size. */
function checkPngData(bytes: Uint8Array, view: DataView, name: string, pixelBytes: number): void {
  let compressed = 0;
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    if (String.fromCharCode(...bytes.subarray(pos + 4, pos + 8)) === 'IDAT') compressed += Math.min(length, bytes.length - pos - 8);
    pos += 12 + length;
  }
  if (compressed * 1032 < pixelBytes) {
    throw new ImageError(name, 'truncated', `${compressed} bytes of image data for ${pixelBytes} bytes of pixels (zlib compresses at most 1032:1)`, 'Give a complete PNG file');
  }
}

function inspectJpeg(bytes: Uint8Array, name: string): ImageHeader {
  let pos = 2;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xff) throw new ImageError(name, 'corrupt', `byte ${pos} is 0x${bytes[pos].toString(16)}, not a JPEG marker`, VALID);
    while (pos < bytes.length && bytes[pos] === 0xff) pos++; // fill bytes
    if (pos >= bytes.length) break;
    const marker = bytes[pos++];
    // Markers without a length: TEM, RSTn, a repeated SOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
    if (marker === 0xd9 || marker === 0xda) {
      throw new ImageError(name, 'corrupt', `a ${marker === 0xd9 ? 'end-of-image' : 'scan'} marker at byte ${pos - 2} before any frame header`, VALID);
    }
    if (pos + 2 > bytes.length) break;
    const length = (bytes[pos] << 8) | bytes[pos + 1];
    if (length < 2) throw new ImageError(name, 'corrupt', `a segment length of ${length} at byte ${pos}`, VALID);
    if (isStartOfFrame(marker)) return frameHeader(bytes, pos, length, marker, name);
    pos += length;
  }
  throw new ImageError(name, 'truncated', `the JPEG file ends after ${bytes.length} bytes, before its frame header`, VALID);
}

function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function frameHeader(bytes: Uint8Array, pos: number, length: number, marker: number, name: string): ImageHeader {
  if (pos + length > bytes.length || length < 8) {
    throw new ImageError(name, 'truncated', `the JPEG file ends inside its frame header (byte ${pos})`, VALID);
  }
  const precision = bytes[pos + 2];
  const height = (bytes[pos + 3] << 8) | bytes[pos + 4];
  const width = (bytes[pos + 5] << 8) | bytes[pos + 6];
  const components = bytes[pos + 7];
  // SOF0 baseline, SOF1 extended, SOF2 progressive: Huffman-coded DCT, what jpeg-js and every browser decode.
  if (marker > 0xc2) {
    throw new ImageError(name, 'unsupported', `JPEG frame type SOF${marker - 0xc0} (lossless or arithmetic-coded)`, 'Give a baseline or progressive JPEG (SOF0, SOF1, SOF2)');
  }
  if (precision !== 8) throw new ImageError(name, 'unsupported', `a ${precision}-bit JPEG`, 'Give an 8-bit JPEG');
  if (components !== 1 && components !== 3) {
    throw new ImageError(name, 'unsupported', `a JPEG with ${components} components`, 'Give a grayscale (1) or colour (3 components) JPEG; CMYK is not read');
  }
  if (length < 8 + 3 * components) throw new ImageError(name, 'corrupt', `a frame header of ${length} bytes for ${components} components`, VALID);
  checkSize(name, width, height);
  // Every 8×8 block of the first component costs at least one bit (its DC code, in any JPEG mode), so a
  // file shorter than blocks / 8 bytes cannot hold the declared picture: refused before decoding.
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  if (bytes.length * 8 < blocks) {
    throw new ImageError(name, 'truncated', `${bytes.length} bytes for ${width} × ${height} pixels (${blocks} blocks of at least one bit)`, 'Give a complete JPEG file');
  }
  return { format: 'jpeg', width, height, interlaced: false };
}

function checkSize(name: string, width: number, height: number): void {
  if (width === 0 || height === 0) {
    throw new ImageError(name, 'zero-size', `the image declares ${width} × ${height} pixels`, 'An image needs a width and a height of at least 1');
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw new ImageError(
      name, 'too-large', `the image declares ${width} × ${height} pixels`,
      `The limit is ${MAX_IMAGE_SIDE} pixels per side and ${MAX_IMAGE_PIXELS} pixels in all; scale the picture down first`,
    );
  }
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}
