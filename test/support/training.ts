// Small models and learnable synthetic data for tests that train (checkpoints, device loss, soak): a few
// milliseconds a step on a software adapter, yet with every kind of layer and parameter.
import {
  AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dataset, Dropout, Flatten, Linear, MaxPool2d, ReLU, Residual, Sequential, type Engine,
} from '../../src/index';
import { Random } from '../../src/random';

/** Conv2d(1→4, 3, padding 1) + ReLU + MaxPool(2) + Linear(64→10), on 8×8 images. */
export function tinyCnn(engine: Engine, seed: number): Sequential {
  return new Sequential(
    engine,
    [
      new Conv2d({ name: 'conv', inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
      new ReLU(),
      new MaxPool2d({ kernelSize: 2 }),
      new Flatten(),
      new Linear({ name: 'fc', inFeatures: 4 * 4 * 4, outFeatures: 10 }),
    ],
    { inputShape: [1, 8, 8], seed },
  );
}

/** The small ResNet's kinds of layer on 8×8 images: Conv2d without bias, BatchNorm2d, a residual block, global average pooling, Dropout. */
export function tinyResNet(engine: Engine, seed: number): Sequential {
  return new Sequential(
    engine,
    [
      new Conv2d({ name: 'stem', inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, bias: false }),
      new BatchNorm2d({ name: 'bn', numFeatures: 4 }),
      new ReLU(),
      new Residual({ name: 'block', block: [new Conv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: false }), new BatchNorm2d({ numFeatures: 4 })] }),
      new MaxPool2d({ kernelSize: 2 }),
      new AdaptiveAvgPool2d({ outputSize: 2 }),
      new Flatten(),
      new Dropout({ p: 0.3 }),
      new Linear({ name: 'fc', inFeatures: 16, outFeatures: 10 }),
    ],
    { inputShape: [1, 8, 8], seed },
  );
}

/** Ten random 8×8 prototypes plus noise, as bytes: learnable, so losses move. */
export function tinyDigits(engine: Engine, count: number, seed: number, name = 'tiny digits'): Dataset {
  return Dataset.upload(engine, { ...tinyDigitBytes(count, seed), sampleShape: [1, 8, 8], name });
}

/** tinyDigits' samples ([count, 1, 8, 8] bytes) and labels, on the CPU. */
export function tinyDigitBytes(count: number, seed: number): { samples: Uint8Array; labels: Uint32Array } {
  const random = new Random(seed);
  const prototypes = Array.from({ length: 10 }, () => Uint8Array.from({ length: 64 }, () => (random.next() < 0.3 ? 255 : 0)));
  const labels = Uint32Array.from({ length: count }, () => random.below(10));
  const samples = new Uint8Array(count * 64);
  labels.forEach((label, n) => {
    for (let i = 0; i < 64; i++) samples[n * 64 + i] = random.next() < 0.15 ? random.below(256) : prototypes[label][i];
  });
  return { samples, labels };
}
