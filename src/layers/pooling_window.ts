// The sliding window of MaxPool2d and AvgPool2d, with PyTorch's rules for its options and output size
// (aten/src/ATen/native/Pool.h: pool2d_shape_check and pooling_output_shape).
import { ConfigError, ShapeError } from '../gpu/errors';
import { imageShape, nonNegativeInt, optionalBoolean, pair, positiveInt, type Size2 } from './check';

export interface PoolingWindowOptions {
  kernelSize: Size2;
  /** Defaults to the kernel size, as PyTorch's. */
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

export interface PoolingWindow {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

export function poolingWindow(where: string, options: PoolingWindowOptions): PoolingWindow {
  const kernel = pair(where, 'kernelSize', options.kernelSize, positiveInt);
  const window: PoolingWindow = {
    kernel,
    stride: pair(where, 'stride', options.stride ?? options.kernelSize, positiveInt),
    padding: pair(where, 'padding', options.padding ?? 0, nonNegativeInt),
    dilation: pair(where, 'dilation', options.dilation ?? 1, positiveInt),
    ceilMode: optionalBoolean(where, 'ceilMode', options.ceilMode, false),
  };
  for (const axis of [0, 1]) {
    // PyTorch's rule, on the kernel without dilation: a window must always hold at least one real element.
    if (window.padding[axis] * 2 > kernel[axis]) {
      throw new ConfigError(where, `padding ${window.padding[axis]} is more than half the kernel ${kernel[axis]}`, 'Use padding ≤ kernelSize / 2.');
    }
  }
  return window;
}

/**
 * Output length along one axis, PyTorch's pooling_output_shape: floor (or with ceilMode, ceil) of
 * (size + 2·pad − dilation·(kernel − 1) − 1) / stride, plus 1; in ceil mode a last window that would
 * start in the right padding (or beyond) is dropped, so every window starts inside the input or the left padding.
 */
export function poolingOutputLength(size: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let length = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (length - 1) * stride >= size + pad) length--;
  return length;
}

/** The [C, H', W'] output of a window over a [C, H, W] input, or a ShapeError when the input is too small for one window. */
export function poolingOutputShape(where: string, input: readonly number[], window: PoolingWindow): number[] {
  const [c, h, w] = imageShape(where, input);
  const lengths = [h, w].map((size, axis) =>
    poolingOutputLength(size, window.kernel[axis], window.stride[axis], window.padding[axis], window.dilation[axis], window.ceilMode),
  );
  lengths.forEach((length, axis) => {
    if (length < 1) {
      const reach = window.dilation[axis] * (window.kernel[axis] - 1) + 1;
      const name = axis === 0 ? 'height' : 'width';
      throw new ShapeError(where, input, `a ${name} of at least ${reach - 2 * window.padding[axis]} for a window spanning ${reach} with padding ${window.padding[axis]}`);
    }
  });
  return [c, lengths[0], lengths[1]];
}
