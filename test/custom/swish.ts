// A layer written outside the engine, through its public API only: Swish (SiLU), x·σ(x), with its own WGSL.
// It declares no tensors and no fusion; build() registers its shader once and binds it to the planned buffers.
import { Layer, type BuildContext, type RecordedLayer } from '../../src/index';
import SWISH_WGSL from './swish.wgsl?raw';

export class Swish extends Layer {
  readonly kind = 'Swish';

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }

  outputShape(input: readonly number[]): number[] {
    return [...input];
  }

  forwardFlops(input: readonly number[]): number {
    return 4 * input.reduce((a, b) => a * b, 1);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const count = ctx.batch * ctx.input.shape.reduce((a, b) => a * b, 1);
    ctx.engine.kernels.define('swish', SWISH_WGSL);
    const forward = (await ctx.engine.kernels.get('swish', 'forward')).bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, output: ctx.output.buffer }, { count });
    // The first layer's input is data: it needs no gradient.
    const backward = ctx.training && ctx.input.grad
      ? [(await ctx.engine.kernels.get('swish', 'backward')).bind(ctx.memory, `${ctx.label} backward`, {
          input: ctx.input.buffer, grad_output: ctx.output.grad!, grad_input: ctx.input.grad,
        }, { count }).dispatch(count, 1, 6 * count)]
      : [];
    return { forward: [forward.dispatch(count, 1, 4 * count)], backward };
  }
}
