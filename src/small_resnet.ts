// The small ResNet, the design's second reference network: PyTorch's module, layer for layer, so that its
// state_dict keys (features.{0,1,4,5}.*, block.{0,1,3,4}.*, head.{1,2,7}.*) and layouts are this model's.
//   features: Conv2d(C→16, 3, p1, no bias), BatchNorm2d, ReLU, MaxPool2d(2), Conv2d(16→32, 3, p1, no bias), BatchNorm2d, ReLU
//   block:    relu(x + [Conv2d(32→32, 3, p1, no bias), BatchNorm2d, ReLU, Conv2d(32→32, 3, p1, no bias), BatchNorm2d](x))
//   head:     MaxPool2d(2), Conv2d(32→64, 3, p1, no bias), BatchNorm2d, ReLU, AdaptiveAvgPool2d(1), Flatten, Dropout(0.2), Linear(64→classes)
import type { Engine } from './gpu/engine';
import { ShapeError } from './gpu/errors';
import { AdaptiveAvgPool2d } from './layers/adaptive_avg_pool2d';
import { BatchNorm2d } from './layers/batchnorm2d';
import { Conv2d } from './layers/conv2d';
import { Dropout } from './layers/dropout';
import { Flatten } from './layers/flatten';
import { Linear } from './layers/linear';
import { MaxPool2d } from './layers/maxpool2d';
import { ReLU } from './layers/relu';
import { Residual } from './layers/residual';
import { Sequential } from './model';

export interface SmallResNetOptions {
  seed?: number;
  /** [channels, height, width] (default [1, 28, 28]); the first convolution takes the channels, and the two poolings need height and width of at least 4. */
  inputShape?: readonly number[];
  /** Outputs of the last Linear (default 10). */
  classes?: number;
  /** The Dropout's probability before the Linear (default 0.2). */
  dropout?: number;
}

export function smallResNet(engine: Engine, options: SmallResNetOptions = {}): Sequential {
  const inputShape = options.inputShape ?? [1, 28, 28];
  if (inputShape.length !== 3) throw new ShapeError('smallResNet inputShape', inputShape, '[channels, height, width]');
  const conv = (name: string, inChannels: number, outChannels: number) => new Conv2d({ name, inChannels, outChannels, kernelSize: 3, padding: 1, bias: false });
  const bn = (name: string, numFeatures: number) => new BatchNorm2d({ name, numFeatures });
  return new Sequential(
    engine,
    [
      conv('features.0', inputShape[0], 16), bn('features.1', 16), new ReLU({ name: 'features.2' }), new MaxPool2d({ name: 'features.3', kernelSize: 2 }),
      conv('features.4', 16, 32), bn('features.5', 32), new ReLU({ name: 'features.6' }),
      new Residual({ name: 'block', block: [conv('0', 32, 32), bn('1', 32), new ReLU({ name: '2' }), conv('3', 32, 32), bn('4', 32)] }),
      new MaxPool2d({ name: 'head.0', kernelSize: 2 }), conv('head.1', 32, 64), bn('head.2', 64), new ReLU({ name: 'head.3' }),
      new AdaptiveAvgPool2d({ name: 'head.4', outputSize: 1 }), new Flatten({ name: 'head.5' }), new Dropout({ name: 'head.6', p: options.dropout ?? 0.2 }),
      new Linear({ name: 'head.7', inFeatures: 64, outFeatures: options.classes ?? 10 }),
    ],
    { inputShape, seed: options.seed },
  );
}
