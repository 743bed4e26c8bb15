// The reference network (the classic PyTorch MNIST tutorial CNN), with PyTorch's parameter names.
import type { Engine } from './gpu/engine';
import { Conv2d } from './layers/conv2d';
import { Flatten } from './layers/flatten';
import { Linear } from './layers/linear';
import { MaxPool2d } from './layers/maxpool2d';
import { ReLU } from './layers/relu';
import { Sequential } from './model';

/**
 * conv1: Conv2d(1→16, 5, padding 2) + ReLU + MaxPool(2); conv2: Conv2d(16→32, 5, padding 2) + ReLU + MaxPool(2);
 * out: Linear(32·7·7 → 10). Parameters: conv1.0.weight [16,1,5,5], conv1.0.bias, conv2.0.weight [32,16,5,5],
 * conv2.0.bias, out.weight [10,1568], out.bias.
 */
export function referenceCnn(engine: Engine, options: { seed?: number } = {}): Sequential {
  return new Sequential(
    engine,
    [
      new Conv2d({ name: 'conv1.0', inChannels: 1, outChannels: 16, kernelSize: 5, padding: 2 }),
      new ReLU({ name: 'conv1.1' }),
      new MaxPool2d({ name: 'conv1.2', kernelSize: 2 }),
      new Conv2d({ name: 'conv2.0', inChannels: 16, outChannels: 32, kernelSize: 5, padding: 2 }),
      new ReLU({ name: 'conv2.1' }),
      new MaxPool2d({ name: 'conv2.2', kernelSize: 2 }),
      new Flatten({ name: 'flatten' }),
      new Linear({ name: 'out', inFeatures: 32 * 7 * 7, outFeatures: 10 }),
    ],
    { inputShape: [1, 28, 28], seed: options.seed },
  );
}
