// Flatten: [C, H, W] → [C·H·W] per sample. NCHW is already contiguous in that order, so it is a view.
import { Layer, type RecordedLayer } from './layer';

export class Flatten extends Layer {
  readonly kind = 'Flatten';
  override readonly inPlace = true;

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }

  outputShape(input: readonly number[]): number[] {
    return [input.reduce((a, b) => a * b, 1)];
  }

  async build(): Promise<RecordedLayer> {
    return { forward: [], backward: [] };
  }
}
