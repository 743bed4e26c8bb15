// Linear: PyTorch's nn.Linear (weight [out, in], bias [out] unless bias: false), with a following activation fused in
// (activation_functions.ts). Each pass runs linear.wgsl's barrier-free kernel or conv2d_tiled.wgsl's tiled one
// (a Linear layer is a 1 × 1 convolution of a 1 × 1 image), whichever the autotuner measured faster here.
import { candidates } from '../gpu/autotune';
import type { Stage } from '../gpu/kernel';
import { ShapeError } from '../gpu/errors';
import { EPILOGUE_ACTIVATIONS, epilogue } from './activation_functions';
import { optionalBoolean, positiveInt } from './check';
import { Layer, uniformFanIn, type BuildContext, type RecordedLayer, type TensorSpec } from './layer';
import { tiledForward, tiledInputGrad, tiledWeightGrad, type ConvProblem } from './conv2d_tiled';

/** Conv2d's window geometry for a 1 × 1 kernel: how conv2d_tiled.wgsl computes a dense layer. */
const POINTWISE = { KERNEL_H: 1, KERNEL_W: 1, STRIDE_H: 1, STRIDE_W: 1, PAD_H: 0, PAD_W: 0 };

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Adds a learnable bias (default true, as PyTorch); false before a BatchNorm1d, which has its own. */
  bias?: boolean;
  name?: string;
}

export class Linear extends Layer {
  readonly kind = 'Linear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
  override readonly fusesActivationAfter = EPILOGUE_ACTIVATIONS;

  constructor(options: LinearOptions) {
    super(options.name);
    const where = `Linear${options.name ? ` "${options.name}"` : ''}`;
    this.inFeatures = positiveInt(where, 'inFeatures', options.inFeatures);
    this.outFeatures = positiveInt(where, 'outFeatures', options.outFeatures);
    this.bias = optionalBoolean(where, 'bias', options.bias, true);
  }

  outputShape(input: readonly number[]): number[] {
    if (input.length !== 1 || input[0] !== this.inFeatures) {
      const hint = input.length > 1 ? ' (add a Flatten layer before it)' : '';
      throw new ShapeError(`Linear${this.name ? ` "${this.name}"` : ''}`, input, `[${this.inFeatures}]${hint}`);
    }
    return [this.outFeatures];
  }

  tensors(): TensorSpec[] {
    const init = uniformFanIn(this.inFeatures);
    const weight: TensorSpec = { name: 'weight', shape: [this.outFeatures, this.inFeatures], init, role: 'parameter' };
    return this.bias ? [weight, { name: 'bias', shape: [this.outFeatures], init, role: 'parameter' }] : [weight];
  }

  forwardFlops(): number {
    return 2 * this.inFeatures * this.outFeatures;
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const uniforms = { batch: ctx.batch, in_features: this.inFeatures, out_features: this.outFeatures };
    const kernels = ctx.engine.kernels;
    const flops = ctx.batch * this.forwardFlops();
    // Without a bias the kernel adds zeros: one small buffer, instead of a second family of kernels.
    const bias = this.bias ? ctx.params.bias : ctx.memory.floats(`${ctx.label} zero bias`, this.outFeatures);
    const fused = epilogue(ctx);
    const { constants, activated } = fused;
    const tiled = this.asConvolution(ctx, flops);
    const forward = candidates({
      direct: async () => [
        (await kernels.get('linear', 'forward', constants))
          .bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, weight: ctx.params.weight, bias, output: ctx.output.buffer, activated }, uniforms)
          .dispatch(ctx.batch * this.outFeatures, 1, flops),
      ],
      ...tiledForward(tiled, bias, fused),
    });
    const activation = ` activation=${ctx.fusion.activationAfter ?? 'none'}`;
    const recorded: RecordedLayer = { forward: await this.chosen(ctx, 'linear.forward', forward, activation), backward: [] };
    if (!ctx.training) return recorded;
    const gradOutput = ctx.output.grad!;
    // The first layer's input is data: no gradient is needed there.
    if (ctx.input.grad) {
      const gradInput = ctx.input.grad;
      const variants = candidates({
        direct: async () => [
          (await kernels.get('linear', 'input_grad'))
            .bind(ctx.memory, `${ctx.label} input gradient`, { grad_output: gradOutput, weight: ctx.params.weight, grad_input: gradInput }, uniforms)
            .dispatch(ctx.batch * this.inFeatures, 1, flops),
        ],
        ...tiledInputGrad(tiled),
      });
      recorded.backward.push(...(await this.chosen(ctx, 'linear.input_grad', variants)));
    }
    const weightGrad = candidates({
      direct: async () => [
        (await kernels.get('linear', 'weight_grad'))
          .bind(ctx.memory, `${ctx.label} weight gradient`, { grad_output: gradOutput, input: ctx.input.buffer, grad_weight: ctx.grads.weight }, uniforms)
          .dispatch(this.outFeatures * this.inFeatures, 1, flops),
      ],
      ...tiledWeightGrad(tiled),
    });
    recorded.backward.push(...(await this.chosen(ctx, 'linear.weight_grad', weightGrad)));
    if (this.bias) {
      const biasGrad = await kernels.get('linear', 'bias_grad');
      recorded.backward.push(biasGrad.bind(ctx.memory, `${ctx.label} bias gradient`, { grad_output: gradOutput, grad_bias: ctx.grads.bias }, uniforms).dispatch(this.outFeatures, 1, ctx.batch * this.outFeatures));
    }
    return recorded;
  }

  /**
   * This layer as conv2d_tiled.ts's problem: a 1 × 1 convolution from inFeatures channels to outFeatures
   * over 1 × 1 images, whose tensors have exactly Linear's layouts ([N, in], [out, in], [N, out]).
   */
  private asConvolution(ctx: BuildContext, flops: number): ConvProblem {
    const uniforms = { batch: ctx.batch, in_channels: this.inFeatures, in_h: 1, in_w: 1, out_channels: this.outFeatures, out_h: 1, out_w: 1 };
    const convCtx = { ...ctx, input: { ...ctx.input, shape: [this.inFeatures, 1, 1] }, output: { ...ctx.output, shape: [this.outFeatures, 1, 1] } };
    return { ctx: convCtx, uniforms, geometry: POINTWISE, flops };
  }

  /**
   * The stages of the variant the autotuner chose for this pass. The problem names the layer's shape
   * without the batch (the faster variant does not change with it, and evaluation's large batches would
   * take long to time on a software adapter), and both shader families' fingerprints, so that edited
   * kernels are measured again.
   */
  private async chosen(ctx: BuildContext, family: string, variants: Record<string, () => Promise<Stage[]>>, detail = ''): Promise<Stage[]> {
    const kernels = ctx.engine.kernels;
    const problem = `${family} ${this.inFeatures} to ${this.outFeatures}${detail} #${kernels.fingerprint('linear')}${kernels.fingerprint('conv2d_tiled')}`;
    return variants[await ctx.engine.autotune.choose(problem, variants)]();
  }
}
