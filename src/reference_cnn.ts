// The reference network (the classic PyTorch MNIST tutorial CNN), with PyTorch's parameter names.
import type { Engine } from './gpu/engine';
import { ShapeError } from './gpu/errors';
import { positiveInt } from './layers/check';
import { Conv2d } from './layers/conv2d';
import { Flatten } from './layers/flatten';
import { Linear } from './layers/linear';
import { MaxPool2d } from './layers/maxpool2d';
import { ReLU } from './layers/relu';
import { Sequential } from './model';

export interface ReferenceCnnOptions {
  seed?: number;
  /** [channels, height, width] (default [1, 28, 28]); the first convolution takes the channels, and the two poolings need height and width of at least 4. */
  inputShape?: readonly number[];
  /** Outputs of the last Linear (default 10). */
  classes?: number;
}

/**
 * conv1: Conv2d(C→16, 5, padding 2) + ReLU + MaxPool(2); conv2: Conv2d(16→32, 5, padding 2) + ReLU + MaxPool(2);
 * out: Linear(32·⌊H/4⌋·⌊W/4⌋ → classes). On MNIST ([1, 28, 28], 10 classes), the tutorial's: conv1.0.weight
 * [16,1,5,5], conv1.0.bias, conv2.0.weight [32,16,5,5], conv2.0.bias, out.weight [10,1568], out.bias.
 */
export function referenceCnn(engine: Engine, options: ReferenceCnnOptions = {}): Sequential {
  const inputShape = options.inputShape ?? [1, 28, 28];
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1) || inputShape[1] < 4 || inputShape[2] < 4) {
    throw new ShapeError('referenceCnn inputShape', inputShape, '[channels, height, width] with height and width of at least 4');
  }
  const [channels, height, width] = inputShape;
  const classes = positiveInt('referenceCnn', 'classes', options.classes ?? 10);
  // Each 5×5 convolution with padding 2 keeps the size; each MaxPool2d(2) halves it, rounding down.
  const pooled = Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2);
  return new Sequential(
    engine,
    [
      new Conv2d({ name: 'conv1.0', inChannels: channels, outChannels: 16, kernelSize: 5, padding: 2 }),
      new ReLU({ name: 'conv1.1' }),
      new MaxPool2d({ name: 'conv1.2', kernelSize: 2 }),
      new Conv2d({ name: 'conv2.0', inChannels: 16, outChannels: 32, kernelSize: 5, padding: 2 }),
      new ReLU({ name: 'conv2.1' }),
      new MaxPool2d({ name: 'conv2.2', kernelSize: 2 }),
      new Flatten({ name: 'flatten' }),
      new Linear({ name: 'out', inFeatures: 32 * pooled, outFeatures: classes }),
    ],
    { inputShape, seed: options.seed },
  );
}
