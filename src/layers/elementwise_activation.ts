// The element-wise activations (Sigmoid, Tanh, LeakyReLU, ELU, GELU, SiLU, Hardswish): one shader,
// shaders/activation.wgsl, specialised by its FUNCTION override; each layer names its function and its
// one option. They are not in place, unlike ReLU: the layer before may read its own output in its
// backward pass (a fused ReLU's mask, a container's saved sum), and overwriting it with, say, σ(x) > 0
// everywhere would corrupt that gradient. So each writes its own output, and the backward pass reads
// the input: Sigmoid and Tanh too, where the input gives a more accurate derivative than the output
// (see the shader).
//
// They declare no `activation` for neighbours to absorb: the contract's fusion has the layer before
// write the activated values into its own output, which is this layer's output only for an in-place
// activation. Fusing them would need a kernel variant per function in every producer; not done yet.
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export type ElementwiseFunction = 'sigmoid' | 'tanh' | 'leaky_relu' | 'elu' | 'gelu' | 'gelu_tanh' | 'silu' | 'hardswish';

// The shader's FUNCTION values (the constants at the top of activation.wgsl).
const FUNCTION_IDS: Record<ElementwiseFunction, number> = {
  sigmoid: 0, tanh: 1, leaky_relu: 2, elu: 3, gelu: 4, gelu_tanh: 5, silu: 6, hardswish: 7,
};

/** The shader's uniforms besides the count; a layer sets the one its function reads. */
export interface ElementwiseParameters {
  negative_slope: number;
  alpha: number;
}

export abstract class ElementwiseActivation extends Layer {
  protected abstract readonly function: ElementwiseFunction;
  /** Arithmetic per element of the forward pass (a rough count, for benchmarks); backward is about twice it. */
  protected abstract readonly flopsPerElement: number;

  /** The function's option as the shader reads it (none by default). */
  protected parameters(): ElementwiseParameters {
    return { negative_slope: 0, alpha: 0 };
  }

  outputShape(input: readonly number[]): number[] {
    return [...input];
  }

  forwardFlops(input: readonly number[]): number {
    return this.flopsPerElement * input.reduce((a, b) => a * b, 1);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const count = ctx.batch * ctx.input.shape.reduce((a, b) => a * b, 1);
    const uniforms = { count, ...this.parameters() };
    const constants = { FUNCTION: FUNCTION_IDS[this.function] };
    const kernels = ctx.engine.kernels;
    const forward = (await kernels.get('activation', 'forward', constants)).bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, output: ctx.output.buffer }, uniforms);
    // The first layer's input is data: it needs no gradient.
    const backward = ctx.training && ctx.input.grad
      ? (await kernels.get('activation', 'backward', constants)).bind(ctx.memory, `${ctx.label} backward`, {
          input: ctx.input.buffer, grad_output: ctx.output.grad!, grad_input: ctx.input.grad,
        }, uniforms)
      : undefined;
    return {
      forward: [forward.dispatch(count, 1, this.flopsPerElement * count)],
      backward: backward ? [backward.dispatch(count, 1, 2 * this.flopsPerElement * count)] : [],
    };
  }
}
