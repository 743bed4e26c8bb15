// MaxPool2d: PyTorch's nn.MaxPool2d (stride defaults to the kernel size; padding counts as −∞; dilation
// spreads the window; ceilMode rounds the output size up, as PyTorch's).
import type { Stage } from '../gpu/kernel';
import { Layer, type BuildContext, type RecordedLayer } from './layer';
import { poolingOutputShape, poolingWindow, type PoolingWindow, type PoolingWindowOptions } from './pooling_window';

export interface MaxPool2dOptions extends PoolingWindowOptions {
  name?: string;
}

export class MaxPool2d extends Layer {
  readonly kind = 'MaxPool2d';
  readonly window: PoolingWindow;
  override readonly fusesMaskBefore = ['relu'];

  constructor(options: MaxPool2dOptions) {
    super(options.name);
    this.window = poolingWindow(this.where(), options);
  }

  outputShape(input: readonly number[]): number[] {
    return poolingOutputShape(this.where(), input, this.window);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [c, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const planes = ctx.batch * c;
    const uniforms = { planes };
    const { kernel, stride, padding, dilation } = this.window;
    const geometry = {
      IN_H: inH, IN_W: inW, OUT_H: outH, OUT_W: outW,
      KERNEL_H: kernel[0], KERNEL_W: kernel[1], STRIDE_H: stride[0], STRIDE_W: stride[1],
      PAD_H: padding[0], PAD_W: padding[1], DILATION_H: dilation[0], DILATION_W: dilation[1],
    };
    // Windows that tile the input exactly (the usual 2×2, stride 2) run kernels without bounds tests, the
    // backward pass writing each window whole; otherwise each input element gathers from the windows that
    // cover it (none, one or several).
    const tiles = kernel.every((k, a) => k === stride[a] && padding[a] === 0 && dilation[a] === 1) && outH * kernel[0] === inH && outW * kernel[1] === inW;
    const argmax = ctx.memory.createBuffer(`${ctx.label} argmax`, planes * outH * outW * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const forward = (await ctx.engine.kernels.get('maxpool2d', tiles ? 'forward_windows' : 'forward', geometry))
      .bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, output: ctx.output.buffer, argmax }, uniforms)
      .dispatch(planes * outH * outW);
    let backward: Stage | undefined;
    if (ctx.training && ctx.input.grad) {
      backward = (await ctx.engine.kernels.get('maxpool2d', tiles ? 'backward_windows' : 'backward', { ...geometry, MASK_NONPOSITIVE_INPUT: ctx.fusion.maskInput === 'relu' }))
        .bind(ctx.memory, `${ctx.label} backward`, { input: ctx.input.buffer, argmax, grad_output: ctx.output.grad!, grad_input: ctx.input.grad }, uniforms)
        .dispatch(planes * (tiles ? outH * outW : inH * inW));
    }
    return {
      forward: [forward],
      backward: backward ? [backward] : [],
    };
  }
}
