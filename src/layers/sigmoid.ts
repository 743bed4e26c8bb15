// Sigmoid: PyTorch's nn.Sigmoid, σ(x) = 1/(1 + e^(−x)).
import { ElementwiseActivation } from './elementwise_activation';

export class Sigmoid extends ElementwiseActivation {
  readonly kind = 'Sigmoid';
  override readonly activation = 'sigmoid';
  protected readonly flopsPerElement = 4;

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }
}
