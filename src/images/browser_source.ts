// Pictures in a browser, decoded by the browser's own decoders, to RgbaImage. Files are checked by their
// header first (inspect.ts), as in Node. Nothing here runs at import time, so importing it in Node is harmless.
import { ImageError } from './errors';
import { inspectImage } from './inspect';
import { readPixels } from './read_pixels';
import type { RgbaImage } from './rgba_image';
import { withoutExif } from './without_exif';

/** A global class's instance type where the host's types declare it (the DOM library), else never: so the
 *  declarations type-check in a Node program without the DOM library. */
type HostType<Name extends string> = typeof globalThis extends { [K in Name]: { prototype: infer T } } ? T : never;

export type ImageSource =
  | HostType<'ImageBitmap'> | HostType<'ImageData'> | HostType<'HTMLImageElement'> | HostType<'HTMLCanvasElement'>
  | HostType<'OffscreenCanvas'> | HostType<'VideoFrame'> | HostType<'Blob'>;

// Decoded as stored: no colour-space conversion (the file's bytes, as PIL reads them), alpha not
// premultiplied, EXIF orientation ignored (as PIL's Image.open and torchvision ignore it; files also lose
// their EXIF data first, see without_exif.ts).
const BITMAP_OPTIONS = { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'none' } as unknown as ImageBitmapOptions;

/**
 * A picture's pixels as RGBA (8 bits, not premultiplied). A Blob or File must be a PNG or JPEG: its
 * header is checked, then the browser decodes it. The pixels are read back exactly through WebGL2;
 * where a browser has no WebGL2, through a 2D canvas, exact for opaque pixels only (read_pixels.ts).
 */
export async function imageFromSource(source: ImageSource, name = 'image'): Promise<RgbaImage> {
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) {
    return { width: source.width, height: source.height, data: new Uint8Array(source.data) };
  }
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw new ImageError(name, 'unsupported', 'this host has no createImageBitmap or OffscreenCanvas', 'Decode pictures in a browser (or a browser worker); in Node use decodeImage from "webgpu-cnn/node"');
  }
  let bitmap: ImageBitmap;
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const bytes = new Uint8Array(await source.arrayBuffer());
    const stored = withoutExif(bytes, inspectImage(bytes, name).format);
    const blob = stored === bytes ? source : new Blob([stored as Uint8Array<ArrayBuffer>], { type: source.type });
    bitmap = await createImageBitmap(blob, BITMAP_OPTIONS).catch((error: unknown) => {
      throw new ImageError(name, 'corrupt', `the browser cannot decode it (${error instanceof Error ? error.message : String(error)})`, 'Give a complete, valid PNG or JPEG file');
    });
  } else {
    if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) await source.decode();
    bitmap = await createImageBitmap(source as ImageBitmapSource, BITMAP_OPTIONS);
  }
  try {
    return { width: bitmap.width, height: bitmap.height, data: readPixels(bitmap) };
  } finally {
    bitmap.close();
  }
}
