// What BatchNorm1d and BatchNorm2d share: PyTorch's _BatchNorm (weight 1 and bias 0 when affine;
// running_mean 0, running_var 1 and num_batches_tracked, an i64, when tracking running statistics), with
// a following activation fused in (activation_functions.ts). Both run batchnorm2d.wgsl: per channel it reduces over the batch and a
// "plane" of values (H·W for [C, H, W], L for [C, L], and 1 for [C]), which is all that differs.
import { ConfigError } from '../gpu/errors';
import type { BufferSlice, Stage } from '../gpu/kernel';
import { EPILOGUE_ACTIVATIONS, epilogue } from './activation_functions';
import { positiveInt } from './check';
import { Layer, type BuildContext, type RecordedLayer, type TensorSpec } from './layer';

export interface BatchNormOptions {
  /** C, the channels (or features) of the input. */
  numFeatures: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running estimates (default 0.1). */
  momentum?: number;
  /** Learnable weight and bias (default true). */
  affine?: boolean;
  /** Keep running estimates for evaluation (default true); without them evaluation uses the batch's statistics. */
  trackRunningStats?: boolean;
  name?: string;
}

export abstract class BatchNorm extends Layer {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  override readonly fusesActivationAfter = EPILOGUE_ACTIVATIONS;

  constructor(options: BatchNormOptions) {
    super(options.name);
    const where = this.where();
    this.numFeatures = positiveInt(where, 'numFeatures', options.numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!Number.isFinite(this.eps) || this.eps <= 0) throw new ConfigError(where, `eps is ${this.eps}`, 'eps must be a finite number > 0.');
    if (!Number.isFinite(this.momentum) || this.momentum < 0 || this.momentum > 1) throw new ConfigError(where, `momentum is ${this.momentum}`, 'momentum must be a number in [0, 1].');
    for (const key of ['affine', 'trackRunningStats'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new ConfigError(where, `${key} is ${String(options[key])}`, `${key} must be true or false.`);
    }
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
  }

  /** Throws a ShapeError unless `input` is a shape this layer normalises. */
  protected abstract checkInput(input: readonly number[]): void;

  outputShape(input: readonly number[]): number[] {
    this.checkInput(input);
    return [...input];
  }

  tensors(): TensorSpec[] {
    const c = [this.numFeatures];
    const constant = (value: number) => ({ kind: 'constant', value }) as const;
    const specs: TensorSpec[] = [];
    if (this.affine) {
      specs.push({ name: 'weight', shape: c, init: constant(1), role: 'parameter' }, { name: 'bias', shape: c, init: constant(0), role: 'parameter' });
    }
    if (this.trackRunningStats) {
      specs.push(
        { name: 'running_mean', shape: c, init: constant(0), role: 'buffer' },
        { name: 'running_var', shape: c, init: constant(1), role: 'buffer' },
        { name: 'num_batches_tracked', shape: [], init: constant(0), role: 'buffer', dtype: 'i64' },
      );
    }
    return specs;
  }

  forwardFlops(input: readonly number[]): number {
    return 4 * input.reduce((a, b) => a * b, 1);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const [channels, ...spatial] = ctx.input.shape;
    const plane = spatial.reduce((a, b) => a * b, 1);
    const count = ctx.batch * channels * plane;
    const batchStatistics = ctx.training || !this.trackRunningStats;
    if (batchStatistics && ctx.batch * plane < 2) {
      throw new ConfigError(ctx.label, `a batch of ${ctx.batch} with ${plane} value${plane === 1 ? '' : 's'} per sample and channel has one value per channel`, 'Batch statistics need more than one value per channel: use a larger batch.');
    }
    const uniforms = { batch: ctx.batch, channels, plane, eps: this.eps, momentum: this.momentum };
    const kernels = ctx.engine.kernels;
    const { constants, activated } = epilogue(ctx);
    // Without affine parameters the kernels scale by ones and shift by zeros, and sum gradients into scratch.
    const ones = () => {
      const buffer = ctx.memory.floats(`${ctx.label} ones`, channels);
      ctx.engine.write(buffer, 0, new Float32Array(channels).fill(1));
      return buffer;
    };
    const weight = this.affine ? ctx.params.weight : ones();
    const bias = this.affine ? ctx.params.bias : ctx.memory.floats(`${ctx.label} zeros`, channels);
    const gradWeight = this.affine ? ctx.grads.weight : ctx.memory.floats(`${ctx.label} Σdy·x̂`, channels);
    const gradBias = this.affine ? ctx.grads.bias : ctx.memory.floats(`${ctx.label} Σdy`, channels);
    const savedMean = ctx.memory.floats(`${ctx.label} batch mean`, channels);
    const savedInvstd = ctx.memory.floats(`${ctx.label} batch invstd`, channels);
    const running: Record<string, BufferSlice> = this.trackRunningStats
      ? { running_mean: ctx.buffers.running_mean, running_var: ctx.buffers.running_var, num_batches_tracked: ctx.buffers.num_batches_tracked }
      : {};

    const forward: Stage[] = [];
    if (batchStatistics) {
      // Evaluation without running estimates normalises with the batch's statistics and updates nothing.
      const entry = ctx.training && this.trackRunningStats ? 'statistics_tracked' : 'statistics';
      const statistics = (await kernels.get('batchnorm2d', entry)).bind(ctx.memory, `${ctx.label} statistics`, {
        input: ctx.input.buffer, saved_mean: savedMean, saved_invstd: savedInvstd, ...(entry === 'statistics_tracked' ? running : {}),
      }, uniforms);
      const normalize = (await kernels.get('batchnorm2d', 'normalize_batch', constants)).bind(ctx.memory, `${ctx.label} normalize`, {
        input: ctx.input.buffer, output: ctx.output.buffer, activated, weight, bias, saved_mean: savedMean, saved_invstd: savedInvstd,
      }, uniforms);
      forward.push(statistics.dispatch(64, channels, 3 * count), normalize.dispatch(count, 1, 4 * count));
    } else {
      const normalize = (await kernels.get('batchnorm2d', 'normalize_running', constants)).bind(ctx.memory, `${ctx.label} normalize`, {
        input: ctx.input.buffer, output: ctx.output.buffer, activated, weight, bias, running_mean: ctx.buffers.running_mean, running_var: ctx.buffers.running_var,
      }, uniforms);
      forward.push(normalize.dispatch(count, 1, 4 * count));
    }

    const backward: Stage[] = [];
    if (ctx.training) {
      const sums = (await kernels.get('batchnorm2d', 'backward_reduce')).bind(ctx.memory, `${ctx.label} weight and bias gradients`, {
        input: ctx.input.buffer, grad_output: ctx.output.grad!, saved_mean: savedMean, saved_invstd: savedInvstd, grad_weight: gradWeight, grad_bias: gradBias,
      }, uniforms);
      backward.push(sums.dispatch(64, channels, 4 * count));
      if (ctx.input.grad) {
        const inputGrad = (await kernels.get('batchnorm2d', 'backward_input')).bind(ctx.memory, `${ctx.label} input gradient`, {
          input: ctx.input.buffer, grad_output: ctx.output.grad!, grad_input: ctx.input.grad, weight, saved_mean: savedMean, saved_invstd: savedInvstd,
          grad_weight: gradWeight, grad_bias: gradBias,
        }, uniforms);
        backward.push(inputGrad.dispatch(count, 1, 6 * count));
      }
    }
    return { forward, backward };
  }
}
