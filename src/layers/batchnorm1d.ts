// BatchNorm1d: PyTorch's nn.BatchNorm1d, on [C] (after a Linear: PyTorch's [N, C]) or [C, L]: statistics
// per feature over the batch (and the length).
import { ShapeError } from '../gpu/errors';
import { BatchNorm, type BatchNormOptions } from './batchnorm';

export type BatchNorm1dOptions = BatchNormOptions;

export class BatchNorm1d extends BatchNorm {
  // A getter, not a field: the shared constructor names the layer in its errors before fields are set.
  get kind(): 'BatchNorm1d' {
    return 'BatchNorm1d';
  }

  protected checkInput(input: readonly number[]): void {
    if ((input.length !== 1 && input.length !== 2) || input[0] !== this.numFeatures) {
      throw new ShapeError(this.where(), input, `[${this.numFeatures}] or [${this.numFeatures}, length]`);
    }
  }
}
