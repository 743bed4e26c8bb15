// BatchNorm2d: PyTorch's nn.BatchNorm2d, on [C, H, W]: statistics per channel over the batch and the plane.
import { imageShape } from './check';
import { BatchNorm, type BatchNormOptions } from './batchnorm';

export type BatchNorm2dOptions = BatchNormOptions;

export class BatchNorm2d extends BatchNorm {
  // A getter, not a field: the shared constructor names the layer in its errors before fields are set.
  get kind(): 'BatchNorm2d' {
    return 'BatchNorm2d';
  }

  protected checkInput(input: readonly number[]): void {
    imageShape(this.where(), input, this.numFeatures);
  }
}
