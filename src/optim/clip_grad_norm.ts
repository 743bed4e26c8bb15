// Gradient clipping by global norm (shaders/clip_grad_norm.wgsl), recorded between the backward pass and the
// optimizer: three dispatches over the contiguous gradient buffer, with no readback and no host write per step.
import type { BufferGroup } from '../gpu/buffer_group';
import type { BoundKernel, Stage } from '../gpu/kernel';
import { finite } from './optimizer';

/** The square_sums kernel's workgroup (REDUCE in the shader): one workgroup per chunk. */
const REDUCE = 64;
/** Elements per workgroup: enough work per invocation to hide the reduction, while y stays under 65535. */
const CHUNK = 64 * REDUCE;
const MAX_WORKGROUPS = 65535;

export class GradientClipping {
  private constructor(
    private readonly kernels: { squareSums: BoundKernel; coefficient: BoundKernel; scale: BoundKernel },
    private readonly count: number,
    private readonly partials: number,
    private readonly chunk: number,
    /** { total_norm: f32, scale: f32 } of the last step, as clip_grad_norm_ returns the norm. */
    readonly clip: GPUBuffer,
  ) {}

  /** Binds to `grads` (`count` floats); the maximum norm is set per run with setMaxNorm(). */
  static async create(memory: BufferGroup, grads: GPUBuffer, count: number): Promise<GradientClipping> {
    const chunk = Math.max(CHUNK, Math.ceil(count / MAX_WORKGROUPS / REDUCE) * REDUCE);
    const partials = Math.ceil(count / chunk);
    const get = (entry: string) => memory.engine.kernels.get('clip_grad_norm', entry);
    const [squareSums, coefficient, scale] = await Promise.all([get('square_sums'), get('coefficient'), get('scale')]);
    const partialSums = memory.floats('clip_grad_norm partial sums', partials);
    const clip = memory.floats('clip_grad_norm total norm and scale', 2);
    const uniforms = { count, chunk, partials, max_norm: 1 };
    return new GradientClipping(
      {
        squareSums: squareSums.bind(memory, 'clip_grad_norm square sums', { grad: grads, partial_sums: partialSums }, uniforms),
        coefficient: coefficient.bind(memory, 'clip_grad_norm coefficient', { partial_sums: partialSums, clip }, uniforms),
        scale: scale.bind(memory, 'clip_grad_norm scale', { grad: grads, clip }, uniforms),
      },
      count, partials, chunk, clip,
    );
  }

  /** Sets clip_grad_norm_'s max_norm (at the start of a run; steps then only read it). */
  setMaxNorm(maxNorm: number): void {
    const uniforms = { count: this.count, chunk: this.chunk, partials: this.partials, max_norm: checkMaxNorm('clipGradNorm', maxNorm) };
    for (const kernel of Object.values(this.kernels)) kernel.writeUniforms(uniforms);
  }

  stages(): Stage[] {
    return [
      { name: 'gradient norm: partial sums', flops: 2 * this.count, record: (pass) => this.kernels.squareSums.record(pass, REDUCE, this.partials) },
      { name: 'gradient norm: clip coefficient', flops: 0, record: (pass) => this.kernels.coefficient.record(pass, REDUCE) },
      this.kernels.scale.dispatch(this.count, 1, this.count),
    ];
  }
}

/** clip_grad_norm_'s max_norm: PyTorch takes any float, but only a positive finite one clips meaningfully. */
export function checkMaxNorm(where: string, maxNorm: number): number {
  return finite(where, 'clipGradNorm', maxNorm, 0, Infinity, true);
}
