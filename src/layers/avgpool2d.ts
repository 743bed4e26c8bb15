// AvgPool2d: PyTorch's nn.AvgPool2d (stride defaults to the kernel size; padding counts in the divisor
// unless countIncludePad is false; divisorOverride replaces the divisor; ceilMode as MaxPool2d's, where
// the padding a last window overhangs is counted only up to the right padding, as PyTorch's).
import { ConfigError } from '../gpu/errors';
import { optionalBoolean } from './check';
import { Layer, type BuildContext, type RecordedLayer } from './layer';
import { poolingOutputShape, poolingWindow, type PoolingWindow, type PoolingWindowOptions } from './pooling_window';

/** PyTorch's AvgPool2d has no dilation. */
export interface AvgPool2dOptions extends Omit<PoolingWindowOptions, 'dilation'> {
  /** Divide by the window's size including padding (default true, as PyTorch); false: by the real elements only. */
  countIncludePad?: boolean;
  /** A non-zero integer that replaces every window's divisor. */
  divisorOverride?: number;
  name?: string;
}

export class AvgPool2d extends Layer {
  readonly kind = 'AvgPool2d';
  readonly window: PoolingWindow;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;

  constructor(options: AvgPool2dOptions) {
    super(options.name);
    const where = this.where();
    this.window = poolingWindow(where, { kernelSize: options.kernelSize, stride: options.stride, padding: options.padding, ceilMode: options.ceilMode });
    this.countIncludePad = optionalBoolean(where, 'countIncludePad', options.countIncludePad, true);
    const divisor = options.divisorOverride;
    // PyTorch refuses 0 ("divisor must be not zero") and accepts any other integer.
    if (divisor !== undefined && (!Number.isInteger(divisor) || divisor === 0 || Math.abs(divisor) >= 2 ** 31)) {
      throw new ConfigError(where, `divisorOverride is ${String(divisor)}`, 'divisorOverride must be a non-zero integer (or left out).');
    }
    this.divisorOverride = divisor;
  }

  outputShape(input: readonly number[]): number[] {
    return poolingOutputShape(this.where(), input, this.window);
  }

  forwardFlops(input: readonly number[]): number {
    const [c, outH, outW] = this.outputShape(input);
    return c * outH * outW * (this.window.kernel[0] * this.window.kernel[1] + 1);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [c, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const planes = ctx.batch * c;
    const uniforms = { planes, in_h: inH, in_w: inW, out_h: outH, out_w: outW };
    const { kernel, stride, padding } = this.window;
    const geometry = {
      KERNEL_H: kernel[0], KERNEL_W: kernel[1], STRIDE_H: stride[0], STRIDE_W: stride[1], PAD_H: padding[0], PAD_W: padding[1],
      COUNT_INCLUDE_PAD: this.countIncludePad, DIVISOR_OVERRIDE: this.divisorOverride ?? 0,
    };
    const flops = ctx.batch * this.forwardFlops(ctx.input.shape);
    const forward = (await ctx.engine.kernels.get('avgpool2d', 'forward', geometry)).bind(
      ctx.memory,
      `${ctx.label} forward`,
      { input: ctx.input.buffer, output: ctx.output.buffer },
      uniforms,
    );
    const backward =
      ctx.training && ctx.input.grad
        ? (await ctx.engine.kernels.get('avgpool2d', 'backward', geometry)).bind(
            ctx.memory,
            `${ctx.label} backward`,
            { grad_output: ctx.output.grad!, grad_input: ctx.input.grad },
            uniforms,
          )
        : undefined;
    return {
      forward: [forward.dispatch(planes * outH * outW, 1, flops)],
      backward: backward ? [backward.dispatch(planes * inH * inW, 1, flops)] : [],
    };
  }
}
