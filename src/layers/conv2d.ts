// Conv2d: PyTorch's nn.Conv2d (weight [out, in, kh, kw], bias [out] unless bias: false), with a following ReLU fused in.
import type { Stage } from '../gpu/kernel';
import { ConfigError } from '../gpu/errors';
import { imageShape, nonNegativeInt, pair, positiveInt, slidingOutput, type Size2 } from './check';
import { Layer, uniformFanIn, type BuildContext, type RecordedLayer, type TensorSpec } from './layer';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: Size2;
  stride?: Size2;
  padding?: Size2;
  /** Adds a learnable bias (default true, as PyTorch); false before a BatchNorm, which has its own. */
  bias?: boolean;
  name?: string;
}

export class Conv2d extends Layer {
  readonly kind = 'Conv2d';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly bias: boolean;
  override readonly fusesActivationAfter = ['relu'];

  constructor(options: Conv2dOptions) {
    super(options.name);
    const where = this.where();
    this.inChannels = positiveInt(where, 'inChannels', options.inChannels);
    this.outChannels = positiveInt(where, 'outChannels', options.outChannels);
    this.kernel = pair(where, 'kernelSize', options.kernelSize, positiveInt);
    this.stride = pair(where, 'stride', options.stride ?? 1, positiveInt);
    this.padding = pair(where, 'padding', options.padding ?? 0, nonNegativeInt);
    if (options.bias !== undefined && typeof options.bias !== 'boolean') throw new ConfigError(where, `bias is ${String(options.bias)}`, 'bias must be true or false.');
    this.bias = options.bias ?? true;
  }

  outputShape(input: readonly number[]): number[] {
    const where = this.where();
    const [, h, w] = imageShape(where, input, this.inChannels);
    return [
      this.outChannels,
      slidingOutput(where, input, h, this.kernel[0], this.stride[0], this.padding[0], 'height'),
      slidingOutput(where, input, w, this.kernel[1], this.stride[1], this.padding[1], 'width'),
    ];
  }

  tensors(): TensorSpec[] {
    const init = uniformFanIn(this.inChannels * this.kernel[0] * this.kernel[1]);
    const weight: TensorSpec = { name: 'weight', shape: [this.outChannels, this.inChannels, ...this.kernel], init, role: 'parameter' };
    return this.bias ? [weight, { name: 'bias', shape: [this.outChannels], init, role: 'parameter' }] : [weight];
  }

  forwardFlops(input: readonly number[]): number {
    const [, oh, ow] = this.outputShape(input);
    return 2 * this.outChannels * oh * ow * this.inChannels * this.kernel[0] * this.kernel[1];
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const uniforms = {
      batch: ctx.batch, in_channels: this.inChannels, in_h: inH, in_w: inW,
      out_channels: this.outChannels, out_h: outH, out_w: outW,
    };
    const geometry = {
      KERNEL_H: this.kernel[0], KERNEL_W: this.kernel[1], STRIDE_H: this.stride[0], STRIDE_W: this.stride[1],
      PAD_H: this.padding[0], PAD_W: this.padding[1],
    };
    const kernels = ctx.engine.kernels;
    // The forward pass, the input gradient and the weight gradient each do this many FLOPs.
    const flops = ctx.batch * this.forwardFlops(ctx.input.shape);
    const forward = await this.forwardVariants(ctx, uniforms, geometry, flops);
    const backward: Stage[] = [];
    if (ctx.training) {
      const gradOutput = ctx.output.grad!;
      const [inputGrad, biasGrad] = await Promise.all(
        ['input_grad', 'bias_grad'].map((entry) => kernels.get('conv2d', entry, geometry)),
      );
      // The first layer's input is data: no gradient is needed there.
      if (ctx.input.grad) {
        // Invocations along x own 8 pixels of an input row, workgroups along y 4 input channels.
        const bound = inputGrad.bind(ctx.memory, `${ctx.label} input gradient`, { grad_output: gradOutput, weight: ctx.params.weight, grad_input: ctx.input.grad }, uniforms);
        backward.push(bound.dispatch(ctx.batch * inH * Math.ceil(inW / 8), Math.ceil(this.inChannels / 4), flops));
      }
      backward.push(...(await this.weightGradVariants(ctx, uniforms, geometry, flops)));
      if (this.bias) {
        const boundBias = biasGrad.bind(ctx.memory, `${ctx.label} bias gradient`, { grad_output: gradOutput, grad_bias: ctx.grads.bias }, uniforms);
        backward.push(boundBias.dispatch(this.outChannels, 1, ctx.batch * this.outChannels * outH * outW));
      }
    }
    return { forward, backward };
  }

  /**
   * The forward pass, reading the weights as stored or from a tap-major copy made first (one vector load
   * per tap on some adapters): whichever the engine's autotuner measured faster for this shape here.
   */
  private async forwardVariants(ctx: BuildContext, uniforms: Record<string, number>, geometry: Record<string, number>, flops: number): Promise<Stage[]> {
    const [, outH, outW] = ctx.output.shape;
    const kernels = ctx.engine.kernels;
    const [direct, packed, pack] = await Promise.all([
      kernels.get('conv2d', 'forward', { ...geometry, RELU: ctx.fusion.activationAfter === 'relu' }),
      kernels.get('conv2d', 'forward', { ...geometry, RELU: ctx.fusion.activationAfter === 'relu', PACKED_WEIGHTS: true }),
      kernels.get('conv2d', 'pack_weights', geometry),
    ]);
    const label = `${ctx.label} forward`;
    const tiles = ctx.batch * outH * Math.ceil(outW / 8);
    const blocks = Math.ceil(this.outChannels / 4);
    const taps = this.inChannels * this.kernel[0] * this.kernel[1];
    const packedWeights = ctx.memory.floats(`${ctx.label} tap-major weights`, taps * 4 * blocks);
    // Without a bias the kernel adds zeros: one small buffer, instead of a second family of kernels.
    const bias = this.bias ? ctx.params.bias : ctx.memory.floats(`${ctx.label} zero bias`, this.outChannels);
    const buffers = { input: ctx.input.buffer, bias, output: ctx.output.buffer };
    const variants: Record<string, Stage[]> = {
      direct: [direct.bind(ctx.memory, label, { ...buffers, weight: ctx.params.weight }, uniforms).dispatch(tiles, blocks, flops)],
      'tap-major': [
        pack.bind(ctx.memory, `${ctx.label} weights to tap-major`, { weight: ctx.params.weight, packed_weight: packedWeights }, uniforms).dispatch(taps * 4 * blocks),
        packed.bind(ctx.memory, label, { ...buffers, weight: packedWeights }, uniforms).dispatch(tiles, blocks, flops),
      ],
    };
    const chosen = await ctx.engine.autotune.choose(`conv2d.forward ${this.problemShape(ctx)} relu=${ctx.fusion.activationAfter === 'relu'} #${kernels.fingerprint('conv2d')}`, variants);
    return variants[chosen];
  }

  /**
   * The weight gradient, blocked as 4 taps × 8 channels or 8 taps × 4 channels per invocation (fewer
   * loads per multiply-add for wide kernels, idle taps for narrow ones): the faster one here.
   */
  private async weightGradVariants(ctx: BuildContext, uniforms: Record<string, number>, geometry: Record<string, number>, flops: number): Promise<Stage[]> {
    const kernels = ctx.engine.kernels;
    const [taps4, taps8] = await Promise.all([kernels.get('conv2d', 'weight_grad', geometry), kernels.get('conv2d', 'weight_grad_taps8', geometry)]);
    const label = `${ctx.label} weight gradient`;
    const buffers = { grad_output: ctx.output.grad!, input: ctx.input.buffer, grad_weight: ctx.grads.weight };
    const rows = this.inChannels * this.kernel[0];
    const variants: Record<string, Stage[]> = {
      '4 taps x 8 channels': [taps4.bind(ctx.memory, label, buffers, uniforms).dispatch(rows * Math.ceil(this.kernel[1] / 4), Math.ceil(this.outChannels / 8), flops)],
      '8 taps x 4 channels': [taps8.bind(ctx.memory, label, buffers, uniforms).dispatch(rows * Math.ceil(this.kernel[1] / 8), Math.ceil(this.outChannels / 4), flops)],
    };
    const chosen = await ctx.engine.autotune.choose(`conv2d.weight_grad ${this.problemShape(ctx)} #${kernels.fingerprint('conv2d')}`, variants);
    return variants[chosen];
  }

  /**
   * A layer shape as the autotuner's problems name it. The batch is left out: the faster variant does
   * not change with it, and evaluation's large batches would take long to time on a software adapter.
   */
  private problemShape(ctx: BuildContext): string {
    return `${this.inChannels}x${ctx.input.shape[1]}x${ctx.input.shape[2]} to ${this.outChannels} k${this.kernel} s${this.stride} p${this.padding}`;
  }
}
