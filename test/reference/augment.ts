// The batch gather's augmentation in float64 (shaders/gather_batch.wgsl states the conventions): the
// random draws the GPU makes for (seed, step, batch position), from the Philox reference, and the
// transformed, normalised batch for given draws.
import type { Augmentation } from '../../src/data/augment';
import type { Normalization } from '../../src/data/normalize';
import { philox4x32 } from './philox';

/** One sample's augmentation: crop offsets (padded coordinates), flip, angle, zoom and whole-pixel shift. */
export interface Draw {
  i: number;
  j: number;
  flip: boolean;
  degrees: number;
  zoom: number;
  tx: number;
  ty: number;
}

/** A draw's top 24 bits as a number uniform in [−1, 1), exactly as the GPU computes it. */
const signedUnit = (word: number) => ((word >>> 8) - 2 ** 23) / 2 ** 23;
/** Python's round (and WGSL's): halves to even. */
const roundHalfEven = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));

/** The draws of batch positions 0..batch−1 at (seed, step): counters (n, 0, 1, 0) and (n, 0, 2, 0). */
export function augmentDraws(seed: number, step: number, batch: number, augment: Augmentation, shape: readonly number[]): Draw[] {
  const [, height, width] = shape;
  const span = 2 * augment.crop + 1;
  return Array.from({ length: batch }, (_, n) => {
    const a = philox4x32([n, 0, 1, 0], [seed, step]);
    const b = philox4x32([n, 0, 2, 0], [seed, step]);
    // The shift is rounded, so it is computed with the GPU's f32 product: one rounding, then Python's round.
    const shift = (word: number, size: number) => roundHalfEven(Math.fround(signedUnit(word) * Math.fround(augment.translate * size)));
    return {
      i: Math.floor((a[0] * span) / 2 ** 32),
      j: Math.floor((a[1] * span) / 2 ** 32),
      flip: augment.flip && a[2] >>> 31 === 1,
      degrees: signedUnit(a[3]) * augment.rotate,
      zoom: 1 + signedUnit(b[0]) * augment.scale,
      tx: shift(b[1], width),
      ty: shift(b[2], height),
    };
  });
}

/**
 * Sample `values` ([C, H, W], scaled, not normalised) as the pipeline affine → crop(pad) → flip →
 * normalise makes it for `draw`, in float64.
 */
export function augmentSample(values: ArrayLike<number>, shape: readonly number[], draw: Draw, pad: number, normalize?: Normalization): Float64Array {
  const [channels, height, width] = shape;
  const out = new Float64Array(channels * height * width);
  const theta = (draw.degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  for (let c = 0; c < channels; c++) {
    const pixel = (y: number, x: number) => (y >= 0 && y < height && x >= 0 && x < width ? values[(c * height + y) * width + x] : 0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const xa = (draw.flip ? width - 1 - x : x) + draw.j - pad;
        const ya = y + draw.i - pad;
        let v = 0;
        if (ya >= 0 && ya < height && xa >= 0 && xa < width) {
          // The inverse of: turn by θ counter-clockwise as displayed (y down), zoom, then shift.
          const dx = xa + 0.5 - width / 2 - draw.tx;
          const dy = ya + 0.5 - height / 2 - draw.ty;
          const sx = (cos * dx - sin * dy) / draw.zoom + width / 2 - 0.5;
          const sy = (sin * dx + cos * dy) / draw.zoom + height / 2 - 0.5;
          const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
          const [fx, fy] = [sx - x0, sy - y0];
          v = (1 - fy) * ((1 - fx) * pixel(y0, x0) + fx * pixel(y0, x0 + 1)) + fy * ((1 - fx) * pixel(y0 + 1, x0) + fx * pixel(y0 + 1, x0 + 1));
        }
        out[(c * height + y) * width + x] = normalize ? (v - normalize.mean[c]) / normalize.std[c] : v;
      }
    }
  }
  return out;
}
