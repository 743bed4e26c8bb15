// GELU: PyTorch's nn.GELU. approximate 'none' (the default) is exact, x·Φ(x) = x/2·(1 + erf(x/√2)),
// with an f32 erf of its own (WGSL has none; see shaders/activation.wgsl); 'tanh' is PyTorch's
// x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))).
import { ConfigError } from '../gpu/errors';
import { ElementwiseActivation, type ElementwiseFunction } from './elementwise_activation';

export interface GELUOptions {
  approximate?: 'none' | 'tanh';
  name?: string;
}

export class GELU extends ElementwiseActivation {
  readonly kind = 'GELU';
  override readonly activation: ElementwiseFunction;
  protected readonly flopsPerElement = 14;
  readonly approximate: 'none' | 'tanh';

  constructor(options: GELUOptions = {}) {
    super(options.name);
    const approximate = options.approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new ConfigError(this.where(), `approximate is ${JSON.stringify(approximate)}`, "approximate must be 'none' (exact, the default) or 'tanh'.");
    }
    this.approximate = approximate;
    this.activation = approximate === 'tanh' ? 'gelu_tanh' : 'gelu';
  }
}
