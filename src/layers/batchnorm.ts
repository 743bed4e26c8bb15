// What BatchNorm1d and BatchNorm2d share: PyTorch's _BatchNorm (weight 1 and bias 0 when affine;
// running_mean 0, running_var 1 and num_batches_tracked, an i64, when tracking running statistics), with
// a following activation fused in (activation_functions.ts). Both run batchnorm2d.wgsl: per channel it reduces over the batch and a
// "plane" of values (H·W for [C, H, W], L for [C, L], and 1 for [C]), which is all that differs. The
// reductions may run from batchnorm2d_subgroups.wgsl instead, where the adapter has subgroups and they are faster.
import { candidates } from '../gpu/autotune';
import { ConfigError } from '../gpu/errors';
import type { BufferSlice, Resource, Stage } from '../gpu/kernel';
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
      const statistics = await this.reduction(ctx, 'batchnorm.statistics', entry, `${ctx.label} statistics`, {
        input: ctx.input.buffer, saved_mean: savedMean, saved_invstd: savedInvstd, ...(entry === 'statistics_tracked' ? running : {}),
      }, uniforms, 3 * count, { entry: 'statistics', resources: { input: ctx.input.buffer, saved_mean: savedMean, saved_invstd: savedInvstd } });
      const normalize = (await kernels.get('batchnorm2d', 'normalize_batch', constants)).bind(ctx.memory, `${ctx.label} normalize`, {
        input: ctx.input.buffer, output: ctx.output.buffer, activated, weight, bias, saved_mean: savedMean, saved_invstd: savedInvstd,
      }, uniforms);
      forward.push(statistics, normalize.dispatch(count, 1, 4 * count));
    } else {
      const normalize = (await kernels.get('batchnorm2d', 'normalize_running', constants)).bind(ctx.memory, `${ctx.label} normalize`, {
        input: ctx.input.buffer, output: ctx.output.buffer, activated, weight, bias, running_mean: ctx.buffers.running_mean, running_var: ctx.buffers.running_var,
      }, uniforms);
      forward.push(normalize.dispatch(count, 1, 4 * count));
    }

    const backward: Stage[] = [];
    if (ctx.training) {
      backward.push(await this.reduction(ctx, 'batchnorm.backward_reduce', 'backward_reduce', `${ctx.label} weight and bias gradients`, {
        input: ctx.input.buffer, grad_output: ctx.output.grad!, saved_mean: savedMean, saved_invstd: savedInvstd, grad_weight: gradWeight, grad_bias: gradBias,
      }, uniforms, 4 * count));
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

  /**
   * A per-channel reduction (`entry`, one workgroup of 64 per channel) bound to `resources`, summing with
   * workgroup memory (batchnorm2d.wgsl) or, where the adapter has subgroups, within subgroups first
   * (batchnorm2d_subgroups.wgsl): whichever the autotuner measured faster for this shape here. Both sum in
   * a fixed order (subgroup_sum.wgsl says how), so either gives the same bits on every run. The variants
   * are timed on `timed` (the same reduction, writing only what every step overwrites: the running
   * estimates and the counter must not move while they are timed).
   */
  private async reduction(ctx: BuildContext, family: string, entry: string, label: string, resources: Record<string, Resource>, uniforms: Record<string, number>, flops: number, timed = { entry, resources }): Promise<Stage> {
    const [channels, ...spatial] = ctx.input.shape;
    const kernels = ctx.engine.kernels;
    const stage = async (file: string, run: { entry: string; resources: Record<string, Resource> }) =>
      (await kernels.get(file, run.entry)).bind(ctx.memory, label, run.resources, uniforms).dispatch(64, channels, flops);
    const files: Record<string, string> = { workgroup: 'batchnorm2d', ...(ctx.engine.features.subgroups ? { subgroups: 'batchnorm2d_subgroups' } : {}) };
    const variants = candidates(Object.fromEntries(Object.entries(files).map(([name, file]) => [name, async () => [await stage(file, timed)]])));
    // The batch is left out, as for the convolutions: the faster variant does not change with it.
    const problem = `${family} ${channels}x${spatial.join('x') || '1'} #${kernels.fingerprint('batchnorm2d')}${kernels.fingerprint('batchnorm2d_subgroups')}`;
    const chosen = await ctx.engine.autotune.choose(problem, variants);
    return timed.entry === entry ? (await variants[chosen]())[0] : stage(files[chosen], { entry, resources });
  }
}
