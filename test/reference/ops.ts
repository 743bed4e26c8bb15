// The float64 CPU reference of every op the engine runs on the GPU: plain loops, written for clarity,
// and themselves checked by finite differences (reference.test.ts).

import { philox4x32 } from './philox';

export * from './pooling';

export type F64 = Float64Array;

export interface ConvShape {
  batch: number; inC: number; h: number; w: number; outC: number;
  kh: number; kw: number; sh: number; sw: number;
  /** Padding on the top and left; bottom and right default to the same (PyTorch's numeric padding). */
  ph: number; pw: number;
  /** Bottom and right padding: 'same' with an even dilated kernel pads one more there than top and left. */
  pb?: number; pr?: number;
  /** Dilation (default 1) and groups (default 1; weight [outC, inC / groups, kh, kw]). */
  dh?: number; dw?: number;
  groups?: number;
}

/** The shape with every optional field filled in with its default. */
function full(s: ConvShape): Required<ConvShape> {
  return { pb: s.ph, pr: s.pw, dh: 1, dw: 1, groups: 1, ...s } as Required<ConvShape>;
}

export function convOutSize(shape: ConvShape): [number, number] {
  const s = full(shape);
  return [
    Math.floor((s.h + s.ph + s.pb - s.dh * (s.kh - 1) - 1) / s.sh) + 1,
    Math.floor((s.w + s.pw + s.pr - s.dw * (s.kw - 1) - 1) / s.sw) + 1,
  ];
}

/**
 * Calls `visit` for every (output element, weight tap) pair whose input lies inside the image, with the
 * flat indices of the output, input and weight elements: the one loop nest that forward and backward share.
 */
function convTaps(shape: ConvShape, visit: (yi: number, xi: number, wi: number) => void, perOutput?: (yi: number, co: number) => void): void {
  const s = full(shape);
  const [oh, ow] = convOutSize(s);
  const inPerGroup = s.inC / s.groups;
  const outPerGroup = s.outC / s.groups;
  for (let n = 0; n < s.batch; n++)
    for (let co = 0; co < s.outC; co++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const yi = ((n * s.outC + co) * oh + oy) * ow + ox;
          perOutput?.(yi, co);
          const g = Math.floor(co / outPerGroup);
          for (let cg = 0; cg < inPerGroup; cg++)
            for (let ky = 0; ky < s.kh; ky++)
              for (let kx = 0; kx < s.kw; kx++) {
                const iy = oy * s.sh - s.ph + ky * s.dh;
                const ix = ox * s.sw - s.pw + kx * s.dw;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                const ci = g * inPerGroup + cg;
                visit(yi, ((n * s.inC + ci) * s.h + iy) * s.w + ix, ((co * inPerGroup + cg) * s.kh + ky) * s.kw + kx);
              }
        }
}

export function conv2dForward(s: ConvShape, x: F64, weight: F64, bias: F64): F64 {
  const [oh, ow] = convOutSize(s);
  const y = new Float64Array(s.batch * s.outC * oh * ow);
  convTaps(s, (yi, xi, wi) => (y[yi] += x[xi] * weight[wi]), (yi, co) => (y[yi] = bias[co]));
  return y;
}

/** Gradients of Σ gy·conv(x) with respect to x, weight and bias. */
export function conv2dBackward(s: ConvShape, x: F64, weight: F64, gy: F64): { gx: F64; gw: F64; gb: F64 } {
  const gx = new Float64Array(x.length);
  const gw = new Float64Array(weight.length);
  const gb = new Float64Array(s.outC);
  convTaps(
    s,
    (yi, xi, wi) => {
      gx[xi] += gy[yi] * weight[wi];
      gw[wi] += gy[yi] * x[xi];
    },
    (yi, co) => (gb[co] += gy[yi]),
  );
  return { gx, gw, gb };
}

export const relu = (x: F64): F64 => x.map((v) => Math.max(v, 0));
/** PyTorch's convention: the derivative at 0 is 0. */
export const reluBackward = (y: F64, gy: F64): F64 => gy.map((g, i) => (y[i] > 0 ? g : 0));

/**
 * Which of `count` elements Dropout keeps, as the engine defines its stream: Philox-4x32-10 keyed by
 * (seed, step), counter (⌊i / 4⌋, stream, 0, 0), word i mod 4; kept iff the word ≥ round(p·2³²), and never for p = 1.
 */
export function dropoutMask(count: number, p: number, seed: number, step: number, stream: number): Uint8Array {
  const mask = new Uint8Array(count);
  const threshold = Math.round(p * 2 ** 32);
  for (let quad = 0; quad * 4 < count; quad++) {
    const words = philox4x32([quad, stream, 0, 0], [seed, step]);
    for (let j = 0; j < 4 && quad * 4 + j < count; j++) mask[quad * 4 + j] = p < 1 && words[j] >= threshold ? 1 : 0;
  }
  return mask;
}

/** PyTorch's dropout in training for a given mask: kept elements scaled by 1/(1 − p), the rest zero. */
export const dropout = (x: F64, mask: Uint8Array, p: number): F64 => x.map((v, i) => (mask[i] ? v / (1 - p) : 0));
export const dropoutBackward = dropout;

export function linearForward(batch: number, inF: number, outF: number, x: F64, weight: F64, bias: F64): F64 {
  const y = new Float64Array(batch * outF);
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < outF; o++) {
      let sum = bias[o];
      for (let i = 0; i < inF; i++) sum += x[n * inF + i] * weight[o * inF + i];
      y[n * outF + o] = sum;
    }
  return y;
}

export function linearBackward(batch: number, inF: number, outF: number, x: F64, weight: F64, gy: F64): { gx: F64; gw: F64; gb: F64 } {
  const gx = new Float64Array(batch * inF);
  const gw = new Float64Array(outF * inF);
  const gb = new Float64Array(outF);
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < outF; o++) {
      const g = gy[n * outF + o];
      gb[o] += g;
      for (let i = 0; i < inF; i++) {
        gx[n * inF + i] += g * weight[o * inF + i];
        gw[o * inF + i] += g * x[n * inF + i];
      }
    }
  return { gx, gw, gb };
}

/** Mean softmax cross-entropy over the batch and its gradient with respect to the logits. */
export function softmaxCrossEntropy(batch: number, classes: number, logits: F64, labels: ArrayLike<number>): { loss: number; grad: F64 } {
  let loss = 0;
  const grad = new Float64Array(logits.length);
  for (let n = 0; n < batch; n++) {
    const row = logits.subarray(n * classes, (n + 1) * classes);
    const top = Math.max(...row);
    const total = row.reduce((a, z) => a + Math.exp(z - top), 0);
    loss += top + Math.log(total) - row[labels[n]];
    for (let c = 0; c < classes; c++) grad[n * classes + c] = (Math.exp(row[c] - top) / total - (c === labels[n] ? 1 : 0)) / batch;
  }
  return { loss: loss / batch, grad };
}

export interface AdamHyper { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }

/** One torch.optim.Adam step (t is 1-based); updates p, m, v in place. */
export function adamStep(h: AdamHyper, t: number, p: F64, g: F64, m: F64, v: F64): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + h.weightDecay * p[i];
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
    const denom = Math.sqrt(v[i]) / Math.sqrt(1 - h.beta2 ** t) + h.eps;
    p[i] -= (h.lr / (1 - h.beta1 ** t)) * (m[i] / denom);
  }
}

/** One torch.optim.AdamW step: the decoupled weight decay p ← p − lr·wd·p, then Adam without L2. */
export function adamwStep(h: AdamHyper, t: number, p: F64, g: F64, m: F64, v: F64): void {
  for (let i = 0; i < p.length; i++) p[i] *= 1 - h.lr * h.weightDecay;
  adamStep({ ...h, weightDecay: 0 }, t, p, g, m, v);
}

export interface SgdHyper { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }

/** One torch.optim.SGD step (t is 1-based); updates p and the momentum buffer in place. */
export function sgdStep(h: SgdHyper, t: number, p: F64, g: F64, buf: F64): void {
  for (let i = 0; i < p.length; i++) {
    let gi = g[i] + h.weightDecay * p[i];
    if (h.momentum !== 0) {
      buf[i] = t === 1 ? gi : h.momentum * buf[i] + (1 - h.dampening) * gi;
      gi = h.nesterov ? gi + h.momentum * buf[i] : buf[i];
    }
    p[i] -= h.lr * gi;
  }
}

export interface BatchNormShape { batch: number; channels: number; plane: number }

/** Index of the j-th value of channel c (j over batch and plane), NCHW. */
const bnAt = (s: BatchNormShape, c: number, j: number) => (Math.floor(j / s.plane) * s.channels + c) * s.plane + (j % s.plane);

/** BatchNorm in training mode: batch mean and biased variance per channel; also the unbiased variance for the running estimate. */
export function batchNormTrain(s: BatchNormShape, x: F64, weight: F64, bias: F64, eps: number): { y: F64; mean: F64; variance: F64; unbiased: F64 } {
  const m = s.batch * s.plane;
  const y = new Float64Array(x.length);
  const mean = new Float64Array(s.channels);
  const variance = new Float64Array(s.channels);
  const unbiased = new Float64Array(s.channels);
  for (let c = 0; c < s.channels; c++) {
    for (let j = 0; j < m; j++) mean[c] += x[bnAt(s, c, j)] / m;
    for (let j = 0; j < m; j++) variance[c] += (x[bnAt(s, c, j)] - mean[c]) ** 2 / m;
    unbiased[c] = (variance[c] * m) / (m - 1);
    for (let j = 0; j < m; j++) {
      const k = bnAt(s, c, j);
      y[k] = ((x[k] - mean[c]) / Math.sqrt(variance[c] + eps)) * weight[c] + bias[c];
    }
  }
  return { y, mean, variance, unbiased };
}

/** BatchNorm in evaluation mode, with given statistics. */
export function batchNormEval(s: BatchNormShape, x: F64, weight: F64, bias: F64, mean: F64, variance: F64, eps: number): F64 {
  return x.map((v, k) => {
    const c = Math.floor(k / s.plane) % s.channels;
    return ((v - mean[c]) / Math.sqrt(variance[c] + eps)) * weight[c] + bias[c];
  });
}

/** Gradients of Σ gy·batchNormTrain(x) with respect to x, weight and bias (the statistics depend on x). */
export function batchNormBackward(s: BatchNormShape, x: F64, weight: F64, gy: F64, eps: number): { gx: F64; gw: F64; gb: F64 } {
  const m = s.batch * s.plane;
  const { mean, variance } = batchNormTrain(s, x, weight, new Float64Array(s.channels), eps);
  const gx = new Float64Array(x.length);
  const gw = new Float64Array(s.channels);
  const gb = new Float64Array(s.channels);
  for (let c = 0; c < s.channels; c++) {
    const invstd = 1 / Math.sqrt(variance[c] + eps);
    for (let j = 0; j < m; j++) {
      const k = bnAt(s, c, j);
      gb[c] += gy[k];
      gw[c] += gy[k] * (x[k] - mean[c]) * invstd;
    }
    for (let j = 0; j < m; j++) {
      const k = bnAt(s, c, j);
      const xhat = (x[k] - mean[c]) * invstd;
      gx[k] = ((weight[c] * invstd) / m) * (m * gy[k] - gb[c] - xhat * gw[c]);
    }
  }
  return { gx, gw, gb };
}
