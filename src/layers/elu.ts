// ELU: PyTorch's nn.ELU, x for x > 0 and alpha·(eˣ − 1) otherwise; the gradient at 0 is alpha, as
// PyTorch's (x ≤ 0 takes alpha·eˣ).
import { finiteNumber } from './check';
import { ElementwiseActivation } from './elementwise_activation';

export interface ELUOptions {
  /** The scale of the negative part (PyTorch's default 1.0). */
  alpha?: number;
  name?: string;
}

export class ELU extends ElementwiseActivation {
  readonly kind = 'ELU';
  override readonly activation = 'elu';
  protected readonly flopsPerElement = 3;
  readonly alpha: number;

  constructor(options: ELUOptions = {}) {
    super(options.name);
    this.alpha = finiteNumber(this.where(), 'alpha', options.alpha ?? 1, "PyTorch's default is 1.0");
  }

  override activationOptions(): Record<string, number> {
    return { alpha: this.alpha };
  }
}
