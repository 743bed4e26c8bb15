// LeakyReLU: PyTorch's nn.LeakyReLU, x for x > 0 and negativeSlope·x otherwise; the gradient at 0 is
// negativeSlope, as PyTorch's (only x > 0 takes 1).
import { finiteNumber } from './check';
import { ElementwiseActivation, type ElementwiseParameters } from './elementwise_activation';

export interface LeakyReLUOptions {
  /** The slope for x ≤ 0 (PyTorch's negative_slope, default 0.01). */
  negativeSlope?: number;
  name?: string;
}

export class LeakyReLU extends ElementwiseActivation {
  readonly kind = 'LeakyReLU';
  protected readonly function = 'leaky_relu';
  protected readonly flopsPerElement = 1;
  readonly negativeSlope: number;

  constructor(options: LeakyReLUOptions = {}) {
    super(options.name);
    this.negativeSlope = finiteNumber(this.where(), 'negativeSlope', options.negativeSlope ?? 0.01, "PyTorch's default is 0.01");
  }

  protected override parameters(): ElementwiseParameters {
    return { negative_slope: this.negativeSlope, alpha: 0 };
  }
}
