// AdaptiveAvgPool2d: PyTorch's nn.AdaptiveAvgPool2d. The output size is fixed and the windows adapt to
// the input; outputSize 1 is global average pooling. A null side keeps that input dimension, as PyTorch's None.
import { adaptiveOutputShape, adaptiveOutputSize, type AdaptiveOutputSize } from './adaptive_output_size';
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export interface AdaptiveAvgPool2dOptions {
  /** The output's [height, width], or one number for both; a null side keeps the input's size there. */
  outputSize: AdaptiveOutputSize;
  name?: string;
}

export class AdaptiveAvgPool2d extends Layer {
  readonly kind = 'AdaptiveAvgPool2d';
  /** [height, width]; null keeps the input's. */
  readonly outputSize: [number | null, number | null];

  constructor(options: AdaptiveAvgPool2dOptions) {
    super(options.name);
    this.outputSize = adaptiveOutputSize(this.where(), options.outputSize);
  }

  outputShape(input: readonly number[]): number[] {
    return adaptiveOutputShape(this.where(), input, this.outputSize);
  }

  forwardFlops(input: readonly number[]): number {
    // An add per element of every window (overlapping windows add an element more than once), a divide per output.
    const [c, h, w] = input;
    const [, outH, outW] = this.outputShape(input);
    return c * (windowLengths(h, outH) * windowLengths(w, outW) + outH * outW);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [c, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const planes = ctx.batch * c;
    const uniforms = { planes, in_h: inH, in_w: inW, out_h: outH, out_w: outW };
    const flops = ctx.batch * this.forwardFlops(ctx.input.shape);
    const forward = (await ctx.engine.kernels.get('adaptive_avg_pool2d', 'forward')).bind(
      ctx.memory,
      `${ctx.label} forward`,
      { input: ctx.input.buffer, output: ctx.output.buffer },
      uniforms,
    );
    const backward =
      ctx.training && ctx.input.grad
        ? (await ctx.engine.kernels.get('adaptive_avg_pool2d', 'backward')).bind(
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

/** The sum of the window lengths along one axis (PyTorch's windows: [floor(i·I/O), ceil((i+1)·I/O))). */
function windowLengths(inSize: number, outSize: number): number {
  let total = 0;
  for (let i = 0; i < outSize; i++) total += Math.ceil(((i + 1) * inSize) / outSize) - Math.floor((i * inSize) / outSize);
  return total;
}
