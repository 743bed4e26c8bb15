// ReLU, in place. After a layer that declares it can apply it (Conv2d, Linear, BatchNorm) its forward pass
// is fused into that layer's kernel; before a MaxPool2d its backward mask is fused into the pooling's
// backward kernel (see fuse() in plan.ts). Otherwise it dispatches its own.
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export class ReLU extends Layer {
  readonly kind = 'ReLU';
  override readonly inPlace = true;
  override readonly activation = 'relu';

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }

  outputShape(input: readonly number[]): number[] {
    return [...input];
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const count = ctx.batch * ctx.input.shape.reduce((a, b) => a * b, 1);
    const kernels = ctx.engine.kernels;
    const forward = ctx.fusion.forwardDone
      ? undefined
      : (await kernels.get('relu', 'forward')).bind(ctx.memory, `${ctx.label} forward`, { values: ctx.output.buffer }, { count });
    const backward =
      !ctx.training || ctx.fusion.backwardDone || !ctx.output.grad
        ? undefined
        : (await kernels.get('relu', 'backward')).bind(ctx.memory, `${ctx.label} backward`, { output: ctx.output.buffer, grad: ctx.output.grad }, { count });
    return {
      forward: forward ? [forward.dispatch(count)] : [],
      backward: backward ? [backward.dispatch(count)] : [],
    };
  }
}
