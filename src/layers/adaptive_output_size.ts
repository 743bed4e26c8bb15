// The output size of PyTorch's adaptive pooling layers: one number for both sides, or [height, width]
// where null keeps the input's size on that side (PyTorch's None).
import { ConfigError } from '../gpu/errors';
import { imageShape, positiveInt } from './check';

export type AdaptiveOutputSize = number | readonly [number | null, number | null];

export function adaptiveOutputSize(where: string, size: AdaptiveOutputSize): [number | null, number | null] {
  const side = (name: string, value: unknown) => (value === null ? null : positiveInt(where, name, value));
  if (Array.isArray(size)) {
    if (size.length !== 2) {
      throw new ConfigError(where, `outputSize has ${size.length} values`, 'Give one number or two: [height, width] (null keeps that side).');
    }
    return [side('outputSize[0]', size[0]), side('outputSize[1]', size[1])];
  }
  const both = positiveInt(where, 'outputSize', size);
  return [both, both];
}

/** The [C, H', W'] output for a [C, H, W] input. */
export function adaptiveOutputShape(where: string, input: readonly number[], outputSize: readonly [number | null, number | null]): number[] {
  const [c, h, w] = imageShape(where, input);
  return [c, outputSize[0] ?? h, outputSize[1] ?? w];
}
