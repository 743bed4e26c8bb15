// The float64 reference of the activations: each element-wise one as a scalar function and its
// derivative (PyTorch's value at kinks), and softmax over rows. Checked by finite differences in
// reference.test.ts.
import type { F64 } from './ops';

export interface Elementwise {
  f(x: number): number;
  /** PyTorch's derivative, including its choice at kinks. */
  df(x: number): number;
}

/**
 * erf to float64 precision: 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), a series of positive terms (no
 * cancellation); beyond |x| = 6, erfc < 2.2e-17 and erf is ±1 in float64.
 */
export function erf(x: number): number {
  if (Math.abs(x) >= 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

const sigmoidOf = (x: number) => 1 / (1 + Math.exp(-x));
const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

export const sigmoid: Elementwise = { f: sigmoidOf, df: (x) => sigmoidOf(x) * (1 - sigmoidOf(x)) };
export const tanh: Elementwise = { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 };
export const leakyRelu = (slope: number): Elementwise => ({ f: (x) => (x > 0 ? x : slope * x), df: (x) => (x > 0 ? 1 : slope) });
export const elu = (alpha: number): Elementwise => ({ f: (x) => (x > 0 ? x : alpha * Math.expm1(x)), df: (x) => (x > 0 ? 1 : alpha * Math.exp(x)) });
export const gelu: Elementwise = {
  f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  df: (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
};
export const geluTanh: Elementwise = {
  f: (x) => 0.5 * x * (1 + Math.tanh(SQRT_TWO_OVER_PI * (x + GELU_CUBIC * x ** 3))),
  df: (x) => {
    const t = Math.tanh(SQRT_TWO_OVER_PI * (x + GELU_CUBIC * x ** 3));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_TWO_OVER_PI * (1 + 3 * GELU_CUBIC * x * x);
  },
};
export const silu: Elementwise = { f: (x) => x * sigmoidOf(x), df: (x) => sigmoidOf(x) * (1 + x * (1 - sigmoidOf(x))) };
export const hardswish: Elementwise = {
  f: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
};

export const forward = (fn: Elementwise, x: F64): F64 => x.map(fn.f);
export const backward = (fn: Elementwise, x: F64, gy: F64): F64 => x.map((v, i) => gy[i] * fn.df(v));

/** Softmax of each row of [rows, features], max-subtracted. */
export function softmax(features: number, x: F64): F64 {
  const y = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += features) {
    const row = x.subarray(start, start + features);
    const top = Math.max(...row);
    const total = row.reduce((a, v) => a + Math.exp(v - top), 0);
    row.forEach((v, j) => (y[start + j] = Math.exp(v - top) / total));
  }
  return y;
}

/** dx = y ⊙ (dy − Σ dy ⊙ y), row by row. */
export function softmaxBackward(features: number, y: F64, gy: F64): F64 {
  const gx = new Float64Array(y.length);
  for (let start = 0; start < y.length; start += features) {
    let dot = 0;
    for (let j = 0; j < features; j++) dot += gy[start + j] * y[start + j];
    for (let j = 0; j < features; j++) gx[start + j] = y[start + j] * (gy[start + j] - dot);
  }
  return gx;
}
