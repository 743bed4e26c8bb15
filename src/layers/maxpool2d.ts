// MaxPool2d: PyTorch's nn.MaxPool2d (stride defaults to the kernel size; padding counts as −∞).
import { imageShape, nonNegativeInt, pair, positiveInt, slidingOutput, type Size2 } from './check';
import { ConfigError } from '../gpu/errors';
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export interface MaxPool2dOptions {
  kernelSize: Size2;
  stride?: Size2;
  padding?: Size2;
  name?: string;
}

export class MaxPool2d extends Layer {
  readonly kind = 'MaxPool2d';
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  override readonly fusesMaskBefore = ['relu'];

  constructor(options: MaxPool2dOptions) {
    super(options.name);
    const where = `MaxPool2d${options.name ? ` "${options.name}"` : ''}`;
    this.kernel = pair(where, 'kernelSize', options.kernelSize, positiveInt);
    this.stride = pair(where, 'stride', options.stride ?? options.kernelSize, positiveInt);
    this.padding = pair(where, 'padding', options.padding ?? 0, nonNegativeInt);
    for (const axis of [0, 1]) {
      // PyTorch's rule: a window must always hold at least one real element.
      if (this.padding[axis] * 2 > this.kernel[axis]) {
        throw new ConfigError(where, `padding ${this.padding[axis]} is more than half the kernel ${this.kernel[axis]}`, 'Use padding ≤ kernelSize / 2.');
      }
    }
  }

  outputShape(input: readonly number[]): number[] {
    const where = `MaxPool2d${this.name ? ` "${this.name}"` : ''}`;
    const [c, h, w] = imageShape(where, input);
    return [
      c,
      slidingOutput(where, input, h, this.kernel[0], this.stride[0], this.padding[0], 'height'),
      slidingOutput(where, input, w, this.kernel[1], this.stride[1], this.padding[1], 'width'),
    ];
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [c, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const planes = ctx.batch * c;
    const uniforms = { planes, in_h: inH, in_w: inW, out_h: outH, out_w: outW };
    const geometry = {
      KERNEL_H: this.kernel[0], KERNEL_W: this.kernel[1], STRIDE_H: this.stride[0], STRIDE_W: this.stride[1],
      PAD_H: this.padding[0], PAD_W: this.padding[1],
    };
    const argmax = ctx.memory.createBuffer(`${ctx.label} argmax`, planes * outH * outW * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const forward = (await ctx.engine.kernels.get('maxpool2d', 'forward', geometry)).bind(
      ctx.memory,
      `${ctx.label} forward`,
      { input: ctx.input.buffer, output: ctx.output.buffer, argmax },
      uniforms,
    );
    const backward =
      ctx.training && ctx.input.grad
        ? (await ctx.engine.kernels.get('maxpool2d', 'backward', { ...geometry, MASK_NONPOSITIVE_INPUT: ctx.fusion.maskInput === 'relu' })).bind(
            ctx.memory,
            `${ctx.label} backward`,
            { input: ctx.input.buffer, argmax, grad_output: ctx.output.grad!, grad_input: ctx.input.grad },
            uniforms,
          )
        : undefined;
    return {
      forward: [forward.dispatch(planes * outH * outW)],
      backward: backward ? [backward.dispatch(planes * inH * inW)] : [],
    };
  }
}
