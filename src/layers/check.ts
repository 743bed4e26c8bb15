// Argument checks shared by the layers: each failure names the layer, the argument and what is valid.
import { ConfigError, ShapeError } from '../gpu/errors';

export function positiveInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(where, `${name} is ${String(value)}`, `${name} must be a positive integer.`);
  }
  return value;
}

export function nonNegativeInt(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ConfigError(where, `${name} is ${String(value)}`, `${name} must be an integer ≥ 0.`);
  }
  return value;
}

/** A true/false option, `fallback` when absent (PyTorch's default). */
export function optionalBoolean(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(where, `${name} is ${String(value)}`, `${name} must be true or false.`);
  return value;
}

/** PyTorch accepts `k` or `[kh, kw]` for kernel sizes, strides and paddings; so do we. */
export type Size2 = number | readonly [number, number];

export function pair(where: string, name: string, value: Size2, check: typeof positiveInt): [number, number] {
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new ConfigError(where, `${name} has ${value.length} values`, `Give one number or two: [height, width].`);
    return [check(where, `${name}[0]`, value[0]), check(where, `${name}[1]`, value[1])];
  }
  const v = check(where, name, value);
  return [v, v];
}

/** Checks a per-sample input shape is [C, H, W] (with C = `channels` when given). */
export function imageShape(where: string, input: readonly number[], channels?: number): [number, number, number] {
  if (input.length !== 3 || (channels !== undefined && input[0] !== channels)) {
    throw new ShapeError(where, input, channels === undefined ? '[channels, height, width]' : `[${channels}, height, width]`);
  }
  return [input[0], input[1], input[2]];
}

/** Output length of a sliding window (convolution or pooling), or a ShapeError if the window does not fit. */
export function slidingOutput(where: string, input: readonly number[], size: number, kernel: number, stride: number, pad: number, axis: string): number {
  const padded = size + 2 * pad;
  if (kernel > padded) {
    throw new ShapeError(where, input, `a ${axis} of at least ${kernel - 2 * pad} for kernel ${kernel} with padding ${pad} (padded ${axis} ${padded} < kernel ${kernel})`);
  }
  return Math.floor((padded - kernel) / stride) + 1;
}

/** A finite number option (an activation's slope or scale); `defaultNote` says PyTorch's default. */
export function finiteNumber(where: string, name: string, value: unknown, defaultNote: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(where, `${name} is ${String(value)}`, `${name} must be a finite number (${defaultNote}).`);
  }
  return value;
}
