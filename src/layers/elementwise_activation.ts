// The element-wise activations (Sigmoid, Tanh, LeakyReLU, ELU, GELU, SiLU, Hardswish): one shader,
// shaders/activation.wgsl, specialised by the ACTIVATION override of the functions it shares with the
// kernels of other layers (shaders/activation_functions.wgsl); each layer names its function and its
// one option. They are not in place, unlike ReLU: the layer before may read its own output in its
// backward pass (a fused ReLU's mask, a container's saved sum), and overwriting it with, say, σ(x) > 0
// everywhere would corrupt that gradient. So each writes its own output, and the backward pass reads
// the input: Sigmoid and Tanh too, where the input gives a more accurate derivative than the output
// (see the shader).
//
// After a Conv2d, Linear or BatchNorm (which declare every shared function in fusesActivationAfter) the
// forward pass is that layer's epilogue: it writes the activated values into this layer's output and
// keeps the pre-activation in its own, which this layer's backward pass then reads as its input. The
// pass this saves re-read the whole pre-activation; measured in docs/benchmarks.md ("Activation fusion").
import { activationConstants, type ActivationFunction } from './activation_functions';
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export type ElementwiseFunction = Exclude<ActivationFunction, 'relu'>;

export abstract class ElementwiseActivation extends Layer {
  abstract override readonly activation: ElementwiseFunction;
  /** Arithmetic per element of the forward pass (a rough count, for benchmarks); backward is about twice it. */
  protected abstract readonly flopsPerElement: number;

  outputShape(input: readonly number[]): number[] {
    return [...input];
  }

  forwardFlops(input: readonly number[]): number {
    return this.flopsPerElement * input.reduce((a, b) => a * b, 1);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const count = ctx.batch * ctx.input.shape.reduce((a, b) => a * b, 1);
    const constants = activationConstants(ctx.label, this.activation, this.activationOptions());
    const kernels = ctx.engine.kernels;
    const forward = ctx.fusion.forwardDone
      ? undefined
      : (await kernels.get('activation', 'forward', constants)).bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, output: ctx.output.buffer }, { count });
    // The first layer's input is data: it needs no gradient.
    const backward = ctx.training && ctx.input.grad
      ? (await kernels.get('activation', 'backward', constants)).bind(ctx.memory, `${ctx.label} backward`, {
          input: ctx.input.buffer, grad_output: ctx.output.grad!, grad_input: ctx.input.grad,
        }, { count })
      : undefined;
    return {
      forward: forward ? [forward.dispatch(count, 1, this.flopsPerElement * count)] : [],
      backward: backward ? [backward.dispatch(count, 1, 2 * this.flopsPerElement * count)] : [],
    };
  }
}
