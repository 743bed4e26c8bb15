// Hardswish: PyTorch's nn.Hardswish, x·clamp(x + 3, 0, 6)/6, with PyTorch's gradient at the kinks:
// −1/2 at x = −3 and 3/2 at x = 3 (the middle piece's slope x/3 + 1/2 holds on the closed interval).
import { ElementwiseActivation } from './elementwise_activation';

export class Hardswish extends ElementwiseActivation {
  readonly kind = 'Hardswish';
  override readonly activation = 'hardswish';
  protected readonly flopsPerElement = 5;

  constructor(options: { name?: string } = {}) {
    super(options.name);
  }
}
