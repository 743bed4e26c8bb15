// SiLU: PyTorch's nn.SiLU (Swish), x·σ(x).
import { ElementwiseActivation } from './elementwise_activation';

export class SiLU extends ElementwiseActivation {
  readonly kind = 'SiLU';
  override readonly activation = 'silu';
  protected readonly flopsPerElement = 5;

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }
}
