// Resizing, the one filter the engine uses on every host: Pillow's `Image.resize(size, Image.BILINEAR)`
// for 8-bit images, reproduced exactly (what torchvision's `transforms.Resize` does to a PIL image).
// It is a triangle filter whose support grows with the downscale factor, so a shrink averages every
// source pixel under the output pixel (antialiased) instead of sampling two; an enlargement is plain
// bilinear interpolation with pixel centres at +0.5. As Pillow (libImaging/Resample.c): the weights are
// computed in float64, normalised per output pixel, turned into 22-bit fixed point (rounded half away
// from zero); the horizontal pass runs first and rounds to 8 bits (adding 2^21, then shifting), then the
// vertical pass does the same. A dimension that keeps its size skips its pass, so same-size input passes
// through unchanged.

/** Pillow's PRECISION_BITS for 8-bit images: 32 − 8 − 2. */
const PRECISION_BITS = 22;

interface Coefficients {
  /** Per output pixel: the first source pixel and how many follow. */
  first: Int32Array;
  count: Int32Array;
  /** Per output pixel, `taps` fixed-point weights. */
  weights: Int32Array;
  taps: number;
}

/** Pillow's precompute_coeffs with the bilinear filter (support 1) and normalize_coeffs_8bpc. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  // Pillow multiplies by the reciprocal (ss = 1.0 / filterscale); dividing could differ in the last bit.
  const reciprocal = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let x = 0; x < hi - lo; x++) {
      const w = Math.max(0, 1 - Math.abs((x + lo - center + 0.5) * reciprocal));
      k[x] = w;
      sum += w;
    }
    for (let x = 0; x < hi - lo; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x];
      // Bilinear weights are never negative, so Pillow's rounding is (int)(0.5 + w · 2^22).
      weights[out * taps + x] = Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    first[out] = lo;
    count[out] = hi - lo;
  }
  return { first, count, weights, taps };
}

/** Pillow's clip8: a fixed-point sum back to a byte. */
function clip8(sum: number): number {
  if (sum >= 2 ** (PRECISION_BITS + 8)) return 255;
  if (sum <= 0) return 0;
  return sum >> PRECISION_BITS;
}

/**
 * Resizes one 8-bit plane (`inHeight × inWidth`, row by row) to `outHeight × outWidth` with Pillow's
 * antialiased bilinear filter, bit for bit as Pillow 9–11 computes it.
 */
export function resizePlane(plane: Uint8Array, inHeight: number, inWidth: number, outHeight: number, outWidth: number): Uint8Array {
  let rows = plane;
  let rowCount = inHeight;
  let rowOffset = 0;
  const vertical = coefficients(inHeight, outHeight);
  if (outWidth !== inWidth) {
    // Only the source rows the vertical pass reads are resized horizontally, as in Pillow.
    rowOffset = vertical.first[0];
    const lastRow = vertical.first[outHeight - 1] + vertical.count[outHeight - 1];
    rowCount = lastRow - rowOffset;
    const h = coefficients(inWidth, outWidth);
    rows = new Uint8Array(rowCount * outWidth);
    for (let y = 0; y < rowCount; y++) {
      const src = (y + rowOffset) * inWidth;
      for (let x = 0; x < outWidth; x++) {
        let sum = 1 << (PRECISION_BITS - 1);
        const base = x * h.taps;
        const start = src + h.first[x];
        for (let i = 0; i < h.count[x]; i++) sum += plane[start + i] * h.weights[base + i];
        rows[y * outWidth + x] = clip8(sum);
      }
    }
  }
  if (outHeight === inHeight) return rows === plane ? plane.slice() : rows;
  const out = new Uint8Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const base = y * vertical.taps;
    const start = vertical.first[y] - rowOffset;
    for (let x = 0; x < outWidth; x++) {
      let sum = 1 << (PRECISION_BITS - 1);
      for (let i = 0; i < vertical.count[y]; i++) sum += rows[(start + i) * outWidth + x] * vertical.weights[base + i];
      out[y * outWidth + x] = clip8(sum);
    }
  }
  return out;
}
