// Linear: PyTorch's nn.Linear (weight [out, in], bias [out] unless bias: false), with a following activation fused in
// (activation_functions.ts).
import type { Stage } from '../gpu/kernel';
import { ShapeError } from '../gpu/errors';
import { EPILOGUE_ACTIVATIONS, epilogue } from './activation_functions';
import { optionalBoolean, positiveInt } from './check';
import { Layer, uniformFanIn, type BuildContext, type RecordedLayer, type TensorSpec } from './layer';

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
    const { constants, activated } = epilogue(ctx);
    const forward = (await kernels.get('linear', 'forward', constants)).bind(
      ctx.memory,
      `${ctx.label} forward`,
      { input: ctx.input.buffer, weight: ctx.params.weight, bias, output: ctx.output.buffer, activated },
      uniforms,
    );
    const backward: Stage[] = [];
    if (ctx.training) {
      const gradOutput = ctx.output.grad!;
      const [inputGrad, weightGrad, biasGrad] = await Promise.all(
        ['input_grad', 'weight_grad', 'bias_grad'].map((entry) => kernels.get('linear', entry)),
      );
      if (ctx.input.grad) {
        backward.push(
          inputGrad.bind(ctx.memory, `${ctx.label} input gradient`, { grad_output: gradOutput, weight: ctx.params.weight, grad_input: ctx.input.grad }, uniforms).dispatch(ctx.batch * this.inFeatures, 1, flops),
        );
      }
      backward.push(
        weightGrad.bind(ctx.memory, `${ctx.label} weight gradient`, { grad_output: gradOutput, input: ctx.input.buffer, grad_weight: ctx.grads.weight }, uniforms).dispatch(this.outFeatures * this.inFeatures, 1, flops),
      );
      if (this.bias) {
        backward.push(biasGrad.bind(ctx.memory, `${ctx.label} bias gradient`, { grad_output: gradOutput, grad_bias: ctx.grads.bias }, uniforms).dispatch(this.outFeatures, 1, ctx.batch * this.outFeatures));
      }
    }
    return {
      forward: [forward.dispatch(ctx.batch * this.outFeatures, 1, flops)],
      backward,
    };
  }
}
