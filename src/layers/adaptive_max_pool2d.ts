// AdaptiveMaxPool2d: PyTorch's nn.AdaptiveMaxPool2d. The output size is fixed and the windows adapt to
// the input (PyTorch's windows, which overlap when O does not divide I); a null side keeps that input dimension.
import { adaptiveOutputShape, adaptiveOutputSize, type AdaptiveOutputSize } from './adaptive_output_size';
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export interface AdaptiveMaxPool2dOptions {
  /** The output's [height, width], or one number for both; a null side keeps the input's size there. */
  outputSize: AdaptiveOutputSize;
  name?: string;
}

export class AdaptiveMaxPool2d extends Layer {
  readonly kind = 'AdaptiveMaxPool2d';
  /** [height, width]; null keeps the input's. */
  readonly outputSize: [number | null, number | null];

  constructor(options: AdaptiveMaxPool2dOptions) {
    super(options.name);
    this.outputSize = adaptiveOutputSize(this.where(), options.outputSize);
  }

  outputShape(input: readonly number[]): number[] {
    return adaptiveOutputShape(this.where(), input, this.outputSize);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [c, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const planes = ctx.batch * c;
    const uniforms = { planes, in_h: inH, in_w: inW, out_h: outH, out_w: outW };
    const argmax = ctx.memory.createBuffer(`${ctx.label} argmax`, planes * outH * outW * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const forward = (await ctx.engine.kernels.get('adaptive_max_pool2d', 'forward')).bind(
      ctx.memory,
      `${ctx.label} forward`,
      { input: ctx.input.buffer, output: ctx.output.buffer, argmax },
      uniforms,
    );
    const backward =
      ctx.training && ctx.input.grad
        ? (await ctx.engine.kernels.get('adaptive_max_pool2d', 'backward')).bind(
            ctx.memory,
            `${ctx.label} backward`,
            { argmax, grad_output: ctx.output.grad!, grad_input: ctx.input.grad },
            uniforms,
          )
        : undefined;
    return {
      forward: [forward.dispatch(planes * outH * outW)],
      backward: backward ? [backward.dispatch(planes * inH * inW)] : [],
    };
  }
}
