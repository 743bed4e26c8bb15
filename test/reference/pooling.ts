// The float64 reference of pooling: max and average over sliding windows (PyTorch's output sizes, padding,
// dilation, ceil mode and divisors) and over adaptive windows. Plain loops, checked by finite differences
// in reference.test.ts.
import type { F64 } from './ops';

/** A pooling window over `planes` planes of h×w; dilation (dh, dw) defaults to 1, ceil mode to false. */
export interface PoolShape { planes: number; h: number; w: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh?: number; dw?: number; ceil?: boolean }

/** PyTorch's pooling_output_shape along one axis: in ceil mode a last window starting in the right padding is dropped. */
export function poolOutLength(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

export function poolOutSize(s: PoolShape): [number, number] {
  return [poolOutLength(s.h, s.kh, s.sh, s.ph, s.dh ?? 1, s.ceil ?? false), poolOutLength(s.w, s.kw, s.sw, s.pw, s.dw ?? 1, s.ceil ?? false)];
}

/** Max pooling; `argmax` holds the winning input index (first maximum in window order, as PyTorch). */
export function maxPoolForward(s: PoolShape, x: F64): { y: F64; argmax: Int32Array } {
  const [oh, ow] = poolOutSize(s);
  const [dh, dw] = [s.dh ?? 1, s.dw ?? 1];
  const y = new Float64Array(s.planes * oh * ow);
  const argmax = new Int32Array(y.length);
  for (let p = 0; p < s.planes; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity;
        let at = -1;
        for (let ky = 0; ky < s.kh; ky++)
          for (let kx = 0; kx < s.kw; kx++) {
            const iy = oy * s.sh - s.ph + ky * dh;
            const ix = ox * s.sw - s.pw + kx * dw;
            if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
            const i = (p * s.h + iy) * s.w + ix;
            if (at < 0 || x[i] > best) {
              best = x[i];
              at = i;
            }
          }
        const o = (p * oh + oy) * ow + ox;
        y[o] = best;
        argmax[o] = at;
      }
  return { y, argmax };
}

/** Routes each output's gradient to its window's winner. */
export function routeToArgmax(argmax: Int32Array, inputLength: number, gy: F64): F64 {
  const gx = new Float64Array(inputLength);
  argmax.forEach((at, o) => (gx[at] += gy[o]));
  return gx;
}

export function maxPoolBackward(s: PoolShape, x: F64, gy: F64): F64 {
  return routeToArgmax(maxPoolForward(s, x).argmax, x.length, gy);
}

export interface AvgPoolOptions { countIncludePad: boolean; divisorOverride?: number }

/**
 * Average pooling as PyTorch's avg_pool2d: the window clipped to the padded input gives the divisor with
 * countIncludePad, the window clipped to the input gives the sum (and the divisor without it); a
 * divisorOverride replaces either.
 */
function avgPoolWindows(s: PoolShape, o: AvgPoolOptions, visit: (p: number, out: number, iy0: number, iy1: number, ix0: number, ix1: number, divisor: number) => void): void {
  const [oh, ow] = poolOutSize(s);
  for (let p = 0; p < s.planes; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const y0 = oy * s.sh - s.ph;
        const x0 = ox * s.sw - s.pw;
        const y1 = Math.min(y0 + s.kh, s.h + s.ph);
        const x1 = Math.min(x0 + s.kw, s.w + s.pw);
        const padded = (y1 - y0) * (x1 - x0);
        const [iy0, iy1, ix0, ix1] = [Math.max(y0, 0), Math.min(y1, s.h), Math.max(x0, 0), Math.min(x1, s.w)];
        const divisor = o.divisorOverride ?? (o.countIncludePad ? padded : (iy1 - iy0) * (ix1 - ix0));
        visit(p, (p * oh + oy) * ow + ox, iy0, iy1, ix0, ix1, divisor);
      }
}

export function avgPoolForward(s: PoolShape, o: AvgPoolOptions, x: F64): F64 {
  const [oh, ow] = poolOutSize(s);
  const y = new Float64Array(s.planes * oh * ow);
  avgPoolWindows(s, o, (p, out, iy0, iy1, ix0, ix1, divisor) => {
    let sum = 0;
    for (let iy = iy0; iy < iy1; iy++) for (let ix = ix0; ix < ix1; ix++) sum += x[(p * s.h + iy) * s.w + ix];
    y[out] = sum / divisor;
  });
  return y;
}

/** Scatters each output's gradient over its window (the GPU gathers instead). */
export function avgPoolBackward(s: PoolShape, o: AvgPoolOptions, gy: F64): F64 {
  const gx = new Float64Array(s.planes * s.h * s.w);
  avgPoolWindows(s, o, (p, out, iy0, iy1, ix0, ix1, divisor) => {
    for (let iy = iy0; iy < iy1; iy++) for (let ix = ix0; ix < ix1; ix++) gx[(p * s.h + iy) * s.w + ix] += gy[out] / divisor;
  });
  return gx;
}

export interface AdaptivePoolShape { planes: number; h: number; w: number; oh: number; ow: number }

/** PyTorch's adaptive pooling window for output index i: input indices [floor(i·I/O), ceil((i+1)·I/O)). */
export function adaptiveWindow(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
}

export function adaptiveAvgPoolForward(s: AdaptivePoolShape, x: F64): F64 {
  const y = new Float64Array(s.planes * s.oh * s.ow);
  for (let p = 0; p < s.planes; p++)
    for (let oy = 0; oy < s.oh; oy++)
      for (let ox = 0; ox < s.ow; ox++) {
        const [y0, y1] = adaptiveWindow(oy, s.h, s.oh);
        const [x0, x1] = adaptiveWindow(ox, s.w, s.ow);
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += x[(p * s.h + iy) * s.w + ix];
        y[(p * s.oh + oy) * s.ow + ox] = sum / ((y1 - y0) * (x1 - x0));
      }
  return y;
}

/** Scatters each output's gradient equally over its window (the GPU gathers instead: a different route to the same sums). */
export function adaptiveAvgPoolBackward(s: AdaptivePoolShape, gy: F64): F64 {
  const gx = new Float64Array(s.planes * s.h * s.w);
  for (let p = 0; p < s.planes; p++)
    for (let oy = 0; oy < s.oh; oy++)
      for (let ox = 0; ox < s.ow; ox++) {
        const [y0, y1] = adaptiveWindow(oy, s.h, s.oh);
        const [x0, x1] = adaptiveWindow(ox, s.w, s.ow);
        const share = gy[(p * s.oh + oy) * s.ow + ox] / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) gx[(p * s.h + iy) * s.w + ix] += share;
      }
  return gx;
}

/** Adaptive max pooling over PyTorch's windows; `argmax` holds the first maximum in row-major window order. */
export function adaptiveMaxPoolForward(s: AdaptivePoolShape, x: F64): { y: F64; argmax: Int32Array } {
  const y = new Float64Array(s.planes * s.oh * s.ow);
  const argmax = new Int32Array(y.length);
  for (let p = 0; p < s.planes; p++)
    for (let oy = 0; oy < s.oh; oy++)
      for (let ox = 0; ox < s.ow; ox++) {
        const [y0, y1] = adaptiveWindow(oy, s.h, s.oh);
        const [x0, x1] = adaptiveWindow(ox, s.w, s.ow);
        const o = (p * s.oh + oy) * s.ow + ox;
        argmax[o] = -1;
        for (let iy = y0; iy < y1; iy++)
          for (let ix = x0; ix < x1; ix++) {
            const i = (p * s.h + iy) * s.w + ix;
            if (argmax[o] < 0 || x[i] > y[o]) {
              y[o] = x[i];
              argmax[o] = i;
            }
          }
      }
  return { y, argmax };
}

export function adaptiveMaxPoolBackward(s: AdaptivePoolShape, x: F64, gy: F64): F64 {
  return routeToArgmax(adaptiveMaxPoolForward(s, x).argmax, x.length, gy);
}
