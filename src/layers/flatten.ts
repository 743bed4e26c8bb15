// Flatten: PyTorch's nn.Flatten(start_dim=1, end_dim=-1). Dimensions count as PyTorch's do on [N, ...],
// so the batch is dimension 0 and is never flattened (the engine's shapes are per sample). Any range of
// dimensions of a contiguous NCHW tensor is already in flattened order, so every Flatten is a view.
import { ConfigError, ShapeError } from '../gpu/errors';
import { Layer, type RecordedLayer } from './layer';

export interface FlattenOptions {
  /** The first dimension to flatten, counting the batch as 0 (default 1; negative counts from the end). */
  startDim?: number;
  /** The last dimension to flatten (default −1, the last). */
  endDim?: number;
  name?: string;
}

export class Flatten extends Layer {
  readonly kind = 'Flatten';
  override readonly inPlace = true;
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: FlattenOptions = {}) {
    super(options.name);
    const integer = (name: string, value: number) => {
      if (!Number.isInteger(value)) throw new ConfigError(this.where(), `${name} is ${String(value)}`, `${name} must be an integer (PyTorch's dimension index on [N, ...]).`);
      return value;
    };
    this.startDim = integer('startDim', options.startDim ?? 1);
    this.endDim = integer('endDim', options.endDim ?? -1);
    if (this.startDim === 0) {
      throw new ConfigError(this.where(), 'startDim is 0 (the batch dimension)', 'Shapes here are per sample: use startDim ≥ 1 (PyTorch\'s default 1) or a negative index.');
    }
  }

  outputShape(input: readonly number[]): number[] {
    // PyTorch's indices are into [N, ...input]: a rank of input.length + 1.
    const rank = input.length + 1;
    const resolve = (dim: number) => (dim < 0 ? dim + rank : dim);
    const start = resolve(this.startDim);
    const end = resolve(this.endDim);
    if (start < 1 || end >= rank || start > end) {
      throw new ShapeError(
        this.where(),
        input,
        `a shape where startDim ${this.startDim} and endDim ${this.endDim} name dimensions 1 ≤ start ≤ end ≤ ${rank - 1} of [N, ${input.join(', ')}] (the batch, 0, is never flattened)`,
      );
    }
    const merged = input.slice(start - 1, end).reduce((a, b) => a * b, 1);
    return [...input.slice(0, start - 1), merged, ...input.slice(end)];
  }

  async build(): Promise<RecordedLayer> {
    return { forward: [], backward: [] };
  }
}
