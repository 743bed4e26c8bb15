// Dropout: PyTorch's nn.Dropout. In training each element is zeroed with probability p and the survivors
// are scaled by 1/(1 − p); in evaluation it is the identity.
//
// Not in place, although the element-wise work would allow it: the layer before may read its own output
// in its backward pass (an activation's mask, a container's saved sum), and overwriting that output with
// dropped values would corrupt its gradient. The price is that evaluation copies the tensor once instead
// of dispatching nothing. The mask is never stored: it is a pure function of the training clock, the
// layer's stream and the element index (shaders/dropout.wgsl), so the backward pass draws it again.
import { ConfigError } from '../gpu/errors';
import { Layer, type BuildContext, type RecordedLayer } from './layer';

export interface DropoutOptions {
  /** The probability that an element is zeroed, in [0, 1] (PyTorch's default 0.5). */
  p?: number;
  name?: string;
}

/** The survival test on the GPU: keep an element iff its 32-bit draw r ≥ threshold, unless dropAll. */
export function dropoutThreshold(p: number): { threshold: number; dropAll: boolean; scale: number } {
  // p = 1 would need the threshold 2³², one more than a u32 holds; it is a flag of its own instead, and
  // its scale (1/0) is never applied.
  if (p === 1) return { threshold: 0xffffffff, dropAll: true, scale: 0 };
  return { threshold: Math.min(Math.round(p * 2 ** 32), 0xffffffff), dropAll: false, scale: 1 / (1 - p) };
}

/**
 * The layer's stream in the random counter, from its label (the model's name for it, stable across runs
 * and checkpoints), so that Dropout layers of the same size in one model drop different elements.
 * FNV-1a, 32 bits.
 */
export function dropoutStream(label: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(label)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

export class Dropout extends Layer {
  readonly kind = 'Dropout';
  readonly p: number;

  constructor(options: DropoutOptions = {}) {
    super(options.name);
    const p = options.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ConfigError(this.where(), `p is ${String(p)}`, 'p is the probability of zeroing an element: a number in [0, 1].');
    }
    this.p = p;
  }

  outputShape(input: readonly number[]): number[] {
    return [...input];
  }

  forwardFlops(input: readonly number[]): number {
    return input.reduce((a, b) => a * b, 1);
  }

  async build(ctx: BuildContext): Promise<RecordedLayer> {
    const count = ctx.batch * ctx.input.shape.reduce((a, b) => a * b, 1);
    const { threshold, dropAll, scale } = dropoutThreshold(this.p);
    const uniforms = { count, threshold, drop_all: dropAll ? 1 : 0, stream: dropoutStream(ctx.label), scale };
    // One invocation per four elements: one Philox draw gives four words.
    const quads = Math.ceil(count / 4);
    const kernels = ctx.engine.kernels;
    if (!ctx.training) {
      const copy = (await kernels.get('dropout', 'copy')).bind(ctx.memory, `${ctx.label} forward (evaluation: identity)`, { input: ctx.input.buffer, output: ctx.output.buffer }, uniforms);
      return { forward: [copy.dispatch(quads)], backward: [] };
    }
    const forward = (await kernels.get('dropout', 'forward')).bind(
      ctx.memory,
      `${ctx.label} forward`,
      { clock: ctx.clock, input: ctx.input.buffer, output: ctx.output.buffer },
      uniforms,
    );
    const backward = ctx.input.grad
      ? (await kernels.get('dropout', 'backward')).bind(ctx.memory, `${ctx.label} backward`, { clock: ctx.clock, grad_output: ctx.output.grad!, grad_input: ctx.input.grad }, uniforms)
      : undefined;
    return {
      forward: [forward.dispatch(quads, 1, count)],
      backward: backward ? [backward.dispatch(quads, 1, count)] : [],
    };
  }
}
