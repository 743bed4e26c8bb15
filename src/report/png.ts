// The report's pictures as data URIs: each sample's bytes written as a PNG file by the engine's one PNG
// encoder (src/images/png_encode.ts), so the page needs no image library and no file beside it.
import { encodePng, type PngPixels } from '../images/png_encode';

/** "data:image/png;base64,…" */
export function pngDataUri(image: PngPixels): string {
  return `data:image/png;base64,${Buffer.from(encodePng(image)).toString('base64')}`;
}
