// Conv2d: PyTorch's nn.Conv2d (weight [out, in / groups, kh, kw], bias [out] unless bias: false), with a following
// activation fused in (activation_functions.ts). Groups 1, dilation 1 and symmetric padding run conv2d.wgsl's tuned kernels; anything else
// (grouped and depthwise convolutions, dilation, 'same' with an even dilated kernel) runs conv2d_general.wgsl's. Each pass is also
// offered as conv2d_tiled.wgsl's implicit GEMM (per group), and the autotuner keeps the faster one.
import { candidates, type Candidates } from '../gpu/autotune';
import type { Stage } from '../gpu/kernel';
import { ConfigError, ShapeError } from '../gpu/errors';
import { EPILOGUE_ACTIVATIONS, epilogue } from './activation_functions';
import { imageShape, nonNegativeInt, pair, positiveInt, slidingOutput, type Size2 } from './check';
import { Layer, uniformFanIn, type BuildContext, type RecordedLayer, type TensorSpec } from './layer';
import { tiledForward, tiledInputGrad, tiledWeightGrad } from './conv2d_tiled';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: Size2;
  stride?: Size2;
  /**
   * Zeros around the input: a number or [height, width] on both sides, 'valid' (none) or 'same' (stride 1
   * only: the output keeps the input's size; as PyTorch, an odd total puts the extra row or column on the
   * bottom or right).
   */
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  /** Input and output channels split into this many groups, each convolved on its own (inChannels: depthwise). */
  groups?: number;
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
  /** Padding on the top and left; `paddingEnd` on the bottom and right (they differ only for 'same'). */
  readonly padding: [number, number];
  readonly paddingEnd: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly bias: boolean;
  override readonly fusesActivationAfter = EPILOGUE_ACTIVATIONS;

  constructor(options: Conv2dOptions) {
    super(options.name);
    const where = this.where();
    this.inChannels = positiveInt(where, 'inChannels', options.inChannels);
    this.outChannels = positiveInt(where, 'outChannels', options.outChannels);
    this.kernel = pair(where, 'kernelSize', options.kernelSize, positiveInt);
    this.stride = pair(where, 'stride', options.stride ?? 1, positiveInt);
    this.dilation = pair(where, 'dilation', options.dilation ?? 1, positiveInt);
    this.groups = positiveInt(where, 'groups', options.groups ?? 1);
    if (this.inChannels % this.groups !== 0 || this.outChannels % this.groups !== 0) {
      const common = Array.from({ length: this.inChannels }, (_, i) => i + 1).filter((g) => this.inChannels % g === 0 && this.outChannels % g === 0);
      throw new ConfigError(where, `groups is ${this.groups} with ${this.inChannels} input and ${this.outChannels} output channels`,
        `groups must divide both channel counts: one of ${common.join(', ')}.`);
    }
    [this.padding, this.paddingEnd] = this.resolvePadding(options.padding ?? 0);
    if (options.bias !== undefined && typeof options.bias !== 'boolean') throw new ConfigError(where, `bias is ${String(options.bias)}`, 'bias must be true or false.');
    this.bias = options.bias ?? true;
  }

  /** [top, left] and [bottom, right] for PyTorch's padding argument. */
  private resolvePadding(padding: Size2 | 'same' | 'valid'): [[number, number], [number, number]] {
    const where = this.where();
    if (padding === 'valid') return [[0, 0], [0, 0]];
    if (padding === 'same') {
      if (this.stride[0] !== 1 || this.stride[1] !== 1) {
        throw new ConfigError(where, `padding is 'same' with stride ${this.stride.join('×')}`, `padding 'same' needs stride 1 (as PyTorch); give a number or pair instead.`);
      }
      // PyTorch's split of the total dilation·(k − 1): the smaller half before, the rest after.
      const total = [0, 1].map((a) => this.dilation[a] * (this.kernel[a] - 1));
      const before: [number, number] = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
      return [before, [total[0] - before[0], total[1] - before[1]]];
    }
    if (typeof padding === 'string') {
      throw new ConfigError(where, `padding is '${padding}'`, `padding must be an integer ≥ 0, a pair of them, 'same' (stride 1 only) or 'valid'.`);
    }
    const both = pair(where, 'padding', padding, nonNegativeInt);
    return [both, [...both]];
  }

  /** True when conv2d.wgsl's tuned kernels cannot run this layer. */
  private get general(): boolean {
    return this.groups !== 1 || this.dilation.some((d) => d !== 1) || this.padding.some((pad, a) => pad !== this.paddingEnd[a]);
  }

  outputShape(input: readonly number[]): number[] {
    const where = this.where();
    const [, h, w] = imageShape(where, input, this.inChannels);
    if (!this.general) {
      return [
        this.outChannels,
        slidingOutput(where, input, h, this.kernel[0], this.stride[0], this.padding[0], 'height'),
        slidingOutput(where, input, w, this.kernel[1], this.stride[1], this.padding[1], 'width'),
      ];
    }
    return [this.outChannels, this.dilatedOutput(input, h, 0, 'height'), this.dilatedOutput(input, w, 1, 'width')];
  }

  /** PyTorch's output length with dilation and (possibly asymmetric) padding, or a ShapeError if the dilated kernel does not fit. */
  private dilatedOutput(input: readonly number[], size: number, axis: 0 | 1, name: string): number {
    const reach = this.dilation[axis] * (this.kernel[axis] - 1) + 1;
    const pads = this.padding[axis] + this.paddingEnd[axis];
    if (reach > size + pads) {
      throw new ShapeError(this.where(), input,
        `a ${name} of at least ${reach - pads} for kernel ${this.kernel[axis]} with dilation ${this.dilation[axis]} (spanning ${reach}) and padding ${this.padding[axis]} + ${this.paddingEnd[axis]} (padded ${name} ${size + pads} < ${reach})`);
    }
    return Math.floor((size + pads - reach) / this.stride[axis]) + 1;
  }

  tensors(): TensorSpec[] {
    // PyTorch's fan-in counts the inputs one output sees: its group's channels only.
    const inPerGroup = this.inChannels / this.groups;
    const init = uniformFanIn(inPerGroup * this.kernel[0] * this.kernel[1]);
    const weight: TensorSpec = { name: 'weight', shape: [this.outChannels, inPerGroup, ...this.kernel], init, role: 'parameter' };
    return this.bias ? [weight, { name: 'bias', shape: [this.outChannels], init, role: 'parameter' }] : [weight];
  }

  forwardFlops(input: readonly number[]): number {
    const [, oh, ow] = this.outputShape(input);
    return (2 * this.outChannels * oh * ow * this.inChannels * this.kernel[0] * this.kernel[1]) / this.groups;
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    if (this.general) return this.buildGeneral(ctx);
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
      // The first layer's input is data: no gradient is needed there.
      if (ctx.input.grad) {
        const gradInput = ctx.input.grad;
        const variants = candidates({
          // Invocations along x own 8 pixels of an input row, workgroups along y 4 input channels.
          direct: async () => [
            (await kernels.get('conv2d', 'input_grad', geometry))
              .bind(ctx.memory, `${ctx.label} input gradient`, { grad_output: gradOutput, weight: ctx.params.weight, grad_input: gradInput }, uniforms)
              .dispatch(ctx.batch * inH * Math.ceil(inW / 8), Math.ceil(this.inChannels / 4), flops),
          ],
          ...tiledInputGrad({ ctx, uniforms, geometry, flops }),
        });
        backward.push(...(await variants[await ctx.engine.autotune.choose(this.problem('conv2d.input_grad', ctx), variants)]()));
      }
      backward.push(...(await this.weightGradVariants(ctx, uniforms, geometry, flops)));
      if (this.bias) backward.push(...(await this.biasGradVariants(ctx, uniforms, geometry)));
    }
    return { forward, backward };
  }

  /**
   * The general family: one invocation per output element of each pass (conv2d_general.wgsl), or tiled per
   * group (conv2d_tiled.wgsl, which takes groups, dilation and asymmetric padding too): the faster one here.
   */
  private async buildGeneral(ctx: BuildContext): Promise<RecordedLayer> {
    const [, inH, inW] = ctx.input.shape;
    const [, outH, outW] = ctx.output.shape;
    const uniforms = {
      batch: ctx.batch, in_channels: this.inChannels, in_h: inH, in_w: inW,
      out_channels: this.outChannels, out_h: outH, out_w: outW,
    };
    const window = { KERNEL_H: this.kernel[0], KERNEL_W: this.kernel[1], STRIDE_H: this.stride[0], STRIDE_W: this.stride[1], DILATION_H: this.dilation[0], DILATION_W: this.dilation[1], GROUPS: this.groups };
    const geometry = { ...window, PAD_TOP: this.padding[0], PAD_LEFT: this.padding[1] };
    const tiled = { ctx, uniforms, geometry: { ...window, PAD_H: this.padding[0], PAD_W: this.padding[1] }, flops: ctx.batch * this.forwardFlops(ctx.input.shape) };
    const { flops } = tiled;
    const kernels = ctx.engine.kernels;
    const choose = async (family: string, variants: Candidates, detail = '') => variants[await ctx.engine.autotune.choose(this.problem(family, ctx, detail), variants)]();
    const fused = epilogue(ctx);
    // Without a bias the kernel adds zeros: one small buffer, instead of a second family of kernels.
    const bias = this.bias ? ctx.params.bias : ctx.memory.floats(`${ctx.label} zero bias`, this.outChannels);
    const forward = await choose('conv2d_general.forward', candidates({
      general: async () => [
        (await kernels.get('conv2d_general', 'forward', { ...geometry, ...fused.constants }))
          .bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, weight: ctx.params.weight, bias, output: ctx.output.buffer, activated: fused.activated }, uniforms)
          .dispatch(ctx.batch * this.outChannels * outH * outW, 1, flops),
      ],
      ...tiledForward(tiled, bias, fused),
    }), ` activation=${ctx.fusion.activationAfter ?? 'none'}`);
    const backward: Stage[] = [];
    if (ctx.training) {
      const gradOutput = ctx.output.grad!;
      // The first layer's input is data: no gradient is needed there.
      if (ctx.input.grad) {
        const gradInput = ctx.input.grad;
        backward.push(...(await choose('conv2d_general.input_grad', candidates({
          general: async () => [
            (await kernels.get('conv2d_general', 'input_grad', geometry))
              .bind(ctx.memory, `${ctx.label} input gradient`, { grad_output: gradOutput, weight: ctx.params.weight, grad_input: gradInput }, uniforms)
              .dispatch(ctx.batch * this.inChannels * inH * inW, 1, flops),
          ],
          ...tiledInputGrad(tiled),
        }))));
      }
      const weights = (this.outChannels * this.inChannels * this.kernel[0] * this.kernel[1]) / this.groups;
      backward.push(...(await choose('conv2d_general.weight_grad', candidates({
        general: async () => [
          (await kernels.get('conv2d_general', 'weight_grad', geometry))
            .bind(ctx.memory, `${ctx.label} weight gradient`, { grad_output: gradOutput, input: ctx.input.buffer, grad_weight: ctx.grads.weight }, uniforms)
            .dispatch(weights, 1, flops),
        ],
        ...tiledWeightGrad(tiled),
      }))));
      if (this.bias) {
        const boundBias = (await kernels.get('conv2d_general', 'bias_grad', geometry)).bind(ctx.memory, `${ctx.label} bias gradient`, { grad_output: gradOutput, grad_bias: ctx.grads.bias }, uniforms);
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
    const fused = epilogue(ctx);
    const { constants, activated } = fused;
    const label = `${ctx.label} forward`;
    const tiles = ctx.batch * outH * Math.ceil(outW / 8);
    const blocks = Math.ceil(this.outChannels / 4);
    const taps = this.inChannels * this.kernel[0] * this.kernel[1];
    // Without a bias the kernel adds zeros: one small buffer, instead of a second family of kernels.
    const bias = this.bias ? ctx.params.bias : ctx.memory.floats(`${ctx.label} zero bias`, this.outChannels);
    const buffers = { input: ctx.input.buffer, bias, output: ctx.output.buffer, activated };
    const variants = candidates({
      direct: async () => [
        (await kernels.get('conv2d', 'forward', { ...geometry, ...constants })).bind(ctx.memory, label, { ...buffers, weight: ctx.params.weight }, uniforms).dispatch(tiles, blocks, flops),
      ],
      'tap-major': async () => {
        const [packed, pack] = await Promise.all([kernels.get('conv2d', 'forward', { ...geometry, ...constants, PACKED_WEIGHTS: true }), kernels.get('conv2d', 'pack_weights', geometry)]);
        const packedWeights = ctx.memory.floats(`${ctx.label} tap-major weights`, taps * 4 * blocks);
        return [
          pack.bind(ctx.memory, `${ctx.label} weights to tap-major`, { weight: ctx.params.weight, packed_weight: packedWeights }, uniforms).dispatch(taps * 4 * blocks),
          packed.bind(ctx.memory, label, { ...buffers, weight: packedWeights }, uniforms).dispatch(tiles, blocks, flops),
        ];
      },
      ...tiledForward({ ctx, uniforms, geometry, flops }, bias, fused),
    });
    return variants[await ctx.engine.autotune.choose(this.problem('conv2d.forward', ctx, ` activation=${ctx.fusion.activationAfter ?? 'none'}`), variants)]();
  }

  /**
   * The weight gradient, blocked as 4 taps × 8 channels or 8 taps × 4 channels per invocation (fewer
   * loads per multiply-add for wide kernels, idle taps for narrow ones), or tiled: the faster one here.
   */
  private async weightGradVariants(ctx: BuildContext, uniforms: Record<string, number>, geometry: Record<string, number>, flops: number): Promise<Stage[]> {
    const kernels = ctx.engine.kernels;
    const label = `${ctx.label} weight gradient`;
    const buffers = { grad_output: ctx.output.grad!, input: ctx.input.buffer, grad_weight: ctx.grads.weight };
    const rows = this.inChannels * this.kernel[0];
    const variants = candidates({
      '4 taps x 8 channels': async () => [
        (await kernels.get('conv2d', 'weight_grad', geometry)).bind(ctx.memory, label, buffers, uniforms).dispatch(rows * Math.ceil(this.kernel[1] / 4), Math.ceil(this.outChannels / 8), flops),
      ],
      '8 taps x 4 channels': async () => [
        (await kernels.get('conv2d', 'weight_grad_taps8', geometry)).bind(ctx.memory, label, buffers, uniforms).dispatch(rows * Math.ceil(this.kernel[1] / 8), Math.ceil(this.outChannels / 4), flops),
      ],
      ...tiledWeightGrad({ ctx, uniforms, geometry, flops }),
    });
    return variants[await ctx.engine.autotune.choose(this.problem('conv2d.weight_grad', ctx), variants)]();
  }

  /**
   * The bias gradient: one invocation per output channel summing its values alone (conv2d.wgsl), or, where
   * the adapter has subgroups, a workgroup per channel summing within subgroups first
   * (conv2d_bias_grad_subgroups.wgsl): the faster one here. Both sum in a fixed order.
   */
  private async biasGradVariants(ctx: BuildContext, uniforms: Record<string, number>, geometry: Record<string, number>): Promise<Stage[]> {
    const [, outH, outW] = ctx.output.shape;
    const kernels = ctx.engine.kernels;
    const label = `${ctx.label} bias gradient`;
    const buffers = { grad_output: ctx.output.grad!, grad_bias: ctx.grads.bias };
    const flops = ctx.batch * this.outChannels * outH * outW;
    const variants = candidates({
      direct: async () => [(await kernels.get('conv2d', 'bias_grad', geometry)).bind(ctx.memory, label, buffers, uniforms).dispatch(this.outChannels, 1, flops)],
      ...(ctx.engine.features.subgroups
        ? { subgroups: async () => [(await kernels.get('conv2d_bias_grad_subgroups', 'bias_grad')).bind(ctx.memory, label, buffers, uniforms).dispatch(64, this.outChannels, flops)] }
        : {}),
    });
    return variants[await ctx.engine.autotune.choose(this.problem('conv2d.bias_grad', ctx, ` #${kernels.fingerprint('conv2d_bias_grad_subgroups')}`), variants)]();
  }

  /**
   * A layer shape as the autotuner's problems name it, with the fingerprints of both shader families so
   * that edited kernels are measured again. The batch is left out: the faster variant does not change with
   * it, and evaluation's large batches would take long to time on a software adapter.
   */
  private problem(family: string, ctx: BuildContext, detail = ''): string {
    const kernels = ctx.engine.kernels;
    const general = this.general ? ` g${this.groups} d${this.dilation} pe${this.paddingEnd}` : '';
    return `${family} ${this.inChannels}x${ctx.input.shape[1]}x${ctx.input.shape[2]} to ${this.outChannels} k${this.kernel} s${this.stride} p${this.padding}${general}${detail}` +
      ` #${kernels.fingerprint(this.general ? 'conv2d_general' : 'conv2d')}${kernels.fingerprint('conv2d_tiled')}`;
  }
}
