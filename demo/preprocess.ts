// A drawing turned into an MNIST image the way MNIST itself was made (LeCun et al.): the digit is cropped
// to its ink, scaled (keeping its aspect) so its larger side is 20 px, anti-aliased, and placed in a
// 28×28 field so that its centre of mass is the field's centre. The model was trained on exactly that.

export const SIDE = 28;
const BOX = 20;
/** Ink below this (of 255) is anti-aliasing fringe, not part of the digit's extent. */
const FRINGE = 16;

/** `ink` holds one value 0..255 per pixel of a width×height drawing; null if nothing is drawn. */
export function toMnist(ink: ArrayLike<number>, width: number, height: number): Uint8Array | null {
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] <= FRINGE) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  if (right < 0) return null;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const scale = BOX / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const box = resample(ink, width, left, top, w, h, tw, th);

  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const dx = Math.round(SIDE / 2 - mx / mass);
  const dy = Math.round(SIDE / 2 - my / mass);
  const out = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const ox = x + dx;
      const oy = y + dy;
      if (ox >= 0 && ox < SIDE && oy >= 0 && oy < SIDE) out[oy * SIDE + ox] = Math.min(255, Math.round(box[y * tw + x]));
    }
  }
  return out;
}

/** Area-weighted resampling of a w×h window at (left, top): each output pixel averages what it covers. */
function resample(ink: ArrayLike<number>, stride: number, left: number, top: number, w: number, h: number, tw: number, th: number): Float32Array {
  const wx = coverage(w, tw);
  const wy = coverage(h, th);
  const rows = new Float32Array(h * tw);
  for (let y = 0; y < h; y++) {
    const row = (top + y) * stride + left;
    for (let x = 0; x < tw; x++) {
      let sum = 0;
      for (const [i, weight] of wx[x]) sum += weight * ink[row + i];
      rows[y * tw + x] = sum;
    }
  }
  const out = new Float32Array(th * tw);
  for (let y = 0; y < th; y++) {
    for (const [i, weight] of wy[y]) {
      for (let x = 0; x < tw; x++) out[y * tw + x] += weight * rows[i * tw + x];
    }
  }
  return out;
}

/** For each of `to` cells spread over `from` source cells: the source cells it overlaps, with weights summing to 1. */
function coverage(from: number, to: number): Array<Array<[number, number]>> {
  const span = from / to;
  return Array.from({ length: to }, (_, d) => {
    const lo = d * span;
    const hi = (d + 1) * span;
    const cells: Array<[number, number]> = [];
    for (let i = Math.floor(lo); i < Math.min(from, Math.ceil(hi)); i++) {
      const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
      if (overlap > 0) cells.push([i, overlap / span]);
    }
    return cells;
  });
}
