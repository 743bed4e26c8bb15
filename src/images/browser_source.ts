// Pictures in a browser, decoded by the browser's own decoders, to RgbaImage. Files are checked by their
// header first (inspect.ts), as in Node. Nothing here runs at import time, so importing it in Node is harmless.
import { ImageError } from './errors';
import { inspectImage } from './inspect';
import type { RgbaImage } from './rgba_image';

export type ImageSource = ImageBitmap | ImageData | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | VideoFrame | Blob;

// Decoded as stored: no colour-space conversion (the file's bytes, as PIL reads them), alpha not
// premultiplied, EXIF orientation ignored (as PIL's Image.open and torchvision ignore it).
const BITMAP_OPTIONS = { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'none' } as unknown as ImageBitmapOptions;

/**
 * A picture's pixels as RGBA (8 bits, not premultiplied). A Blob or File must be a PNG or JPEG: its
 * header is checked, then the browser decodes it. The pixels are read back through a 2D canvas; browsers
 * store a canvas premultiplied, so the colour of a pixel that is not opaque can differ from the file's
 * by rounding, and a fully transparent pixel reads as black (opaque pictures are exact).
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
    inspectImage(new Uint8Array(await source.arrayBuffer()), name);
    bitmap = await createImageBitmap(source, BITMAP_OPTIONS).catch((error: unknown) => {
      throw new ImageError(name, 'corrupt', `the browser cannot decode it (${error instanceof Error ? error.message : String(error)})`, 'Give a complete, valid PNG or JPEG file');
    });
  } else {
    if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) await source.decode();
    bitmap = await createImageBitmap(source as ImageBitmapSource, BITMAP_OPTIONS);
  }
  try {
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
    if (!context) throw new ImageError(name, 'unsupported', 'no 2D canvas context', 'Use a browser with OffscreenCanvas 2D');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { width, height, data: new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength) };
  } finally {
    bitmap.close();
  }
}
