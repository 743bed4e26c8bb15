// A decoded picture to the bytes of one dataset sample, [channels, height, width], as torchvision's
// ImageFolder pipeline makes it: PIL's convert('RGB') (alpha dropped), convert('L') for one channel, then
// Resize with the bilinear filter (resize.ts). The same code runs in Node and in browsers, so one file
// gives the same sample on both.
import { ImageError } from './errors';
import type { RgbaImage } from './rgba_image';
import { resizePlane } from './resize';

export interface SampleFormat {
  height: number;
  width: number;
  /** 3: R, G, B planes; 1: luma (ITU-R 601-2, as PIL's convert('L')). */
  channels: 1 | 3;
}

/**
 * The sample's bytes, channel by channel ([channels, height, width], what `Dataset.upload` takes):
 * alpha is dropped (the stored colour of every pixel is kept, as PIL's convert('RGB') keeps it), one
 * channel is PIL's luma `(19595 R + 38470 G + 7471 B + 2^15) >> 16`, then each plane is resized with
 * Pillow's antialiased bilinear filter; a plane already at the target size passes through unchanged.
 */
export function imageToSample(image: RgbaImage, format: SampleFormat, name = 'image'): Uint8Array {
  checkImage(image, name);
  const { height, width, channels } = format;
  if (!isSide(height) || !isSide(width) || (channels !== 1 && channels !== 3)) {
    throw new ImageError(name, 'bad-image', `target ${channels} × ${height} × ${width}`, 'Give channels 1 or 3 and a height and width of 1 or more');
  }
  const pixels = image.width * image.height;
  const out = new Uint8Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    const plane = new Uint8Array(pixels);
    const d = image.data;
    if (channels === 3) {
      for (let i = 0; i < pixels; i++) plane[i] = d[4 * i + c];
    } else {
      // Pillow's rgb2l (libImaging/Convert.c): ITU-R 601-2 luma in 16-bit fixed point, rounded.
      for (let i = 0; i < pixels; i++) plane[i] = (d[4 * i] * 19595 + d[4 * i + 1] * 38470 + d[4 * i + 2] * 7471 + 0x8000) >> 16;
    }
    out.set(resizePlane(plane, image.height, image.width, height, width), c * height * width);
  }
  return out;
}

/** True when every pixel has R = G = B (alpha aside): such an image loses nothing as one channel. */
export function isGrayscale(image: RgbaImage): boolean {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

/** Throws unless `image` is a well-formed RgbaImage. */
export function checkImage(image: RgbaImage, name: string): void {
  const data: unknown = image?.data;
  if (!isSide(image?.width) || !isSide(image?.height) || !(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new ImageError(name, 'bad-image', `width ${image?.width}, height ${image?.height}, data ${describe(image?.data)}`, 'An RgbaImage has integer width and height ≥ 1 and a Uint8Array of RGBA bytes');
  }
  if (image.data.length !== image.width * image.height * 4) {
    throw new ImageError(name, 'bad-image', `${image.data.length} bytes for ${image.width} × ${image.height} pixels`, `An RgbaImage holds width × height × 4 = ${image.width * image.height * 4} bytes`);
  }
}

function isSide(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 1;
}

function describe(data: unknown): string {
  return data === undefined || data === null ? String(data) : (data as object).constructor?.name ?? typeof data;
}
