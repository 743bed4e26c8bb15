// LeakyReLU: PyTorch's nn.LeakyReLU, x for x > 0 and negativeSlope·x otherwise; the gradient at 0 is
// negativeSlope, as PyTorch's (only x > 0 takes 1).
import { finiteNumber } from './check';
import { ElementwiseActivation } from './elementwise_activation';

export interface LeakyReLUOptions {
  /** The slope for x ≤ 0 (PyTorch's negative_slope, default 0.01). */
  negativeSlope?: number;
  name?: string;
}

export class LeakyReLU extends ElementwiseActivation {
  readonly kind = 'LeakyReLU';
  override readonly activation = 'leaky_relu';
  protected readonly flopsPerElement = 1;
  readonly negativeSlope: number;

  constructor(options: LeakyReLUOptions = {}) {
    super(options.name);
    this.negativeSlope = finiteNumber(this.where(), 'negativeSlope', options.negativeSlope ?? 0.01, "PyTorch's default is 0.01");
  }

  override activationOptions(): Record<string, number> {
    return { negative_slope: this.negativeSlope };
  }
}
