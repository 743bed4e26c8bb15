// The one in-memory form of a decoded picture, whatever decoded it (pngjs, jpeg-js, a browser's decoder).

/** A decoded picture: `width × height` pixels, row by row, 4 bytes each (R, G, B, A), 8 bits per channel,
 *  alpha NOT premultiplied (as in a PNG file and in `ImageData`). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}
