// Tanh: PyTorch's nn.Tanh.
import { ElementwiseActivation } from './elementwise_activation';

export class Tanh extends ElementwiseActivation {
  readonly kind = 'Tanh';
  override readonly activation = 'tanh';
  protected readonly flopsPerElement = 6;

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }
}
