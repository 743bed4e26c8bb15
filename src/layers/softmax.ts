// Softmax: PyTorch's nn.Softmax over the features of a [N, features] output (dim=1, or −1), for a
// model's output probabilities in predict(). Not for training a classifier: fit() applies softmax
// cross-entropy to the model's output, which must be the logits, as with nn.CrossEntropyLoss.
// Its own small kernel (shaders/softmax.wgsl): one invocation per row; the backward reads the output.
import { ConfigError, ShapeError } from '../gpu/errors';
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export interface SoftmaxOptions {
  /** The dimension to normalise, counting the batch: 1 or −1 (the same on [N, features]; PyTorch's implicit choice for 2-D input). */
  dim?: number;
  name?: string;
}

export class Softmax extends Layer {
  readonly kind = 'Softmax';
  override readonly outputsProbabilities = true;
  readonly dim: number;

  constructor(options: SoftmaxOptions = {}) {
    super(options.name);
    const dim = options.dim ?? 1;
    if (dim !== 1 && dim !== -1) {
      throw new ConfigError(this.where(), `dim is ${String(dim)}`, 'dim must be 1 or -1: the features of a [N, features] output (Flatten first).');
    }
    this.dim = dim;
  }

  outputShape(input: readonly number[]): number[] {
    if (input.length !== 1) throw new ShapeError(this.where(), input, '[features] per sample (Softmax normalises the last dimension of [N, features]; Flatten first)');
    return [...input];
  }

  forwardFlops(input: readonly number[]): number {
    return 4 * input[0];
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const features = ctx.input.shape[0];
    const uniforms = { rows: ctx.batch, features };
    const kernels = ctx.engine.kernels;
    const forward = (await kernels.get('softmax', 'forward')).bind(ctx.memory, `${ctx.label} forward`, { input: ctx.input.buffer, output: ctx.output.buffer }, uniforms);
    const backward = ctx.training && ctx.input.grad
      ? (await kernels.get('softmax', 'backward')).bind(ctx.memory, `${ctx.label} backward`, {
          output: ctx.output.buffer, grad_output: ctx.output.grad!, grad_input: ctx.input.grad,
        }, uniforms)
      : undefined;
    const count = ctx.batch * features;
    return {
      forward: [forward.dispatch(ctx.batch, 1, 4 * count)],
      backward: backward ? [backward.dispatch(ctx.batch, 1, 4 * count)] : [],
    };
  }
}
