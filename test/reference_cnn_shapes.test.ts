// The reference CNN adapts to the data: channels, height and width, and the number of classes, with
// PyTorch's parameter names and shapes; the defaults stay the MNIST tutorial's network.
import { expect, test } from 'vitest';
import { referenceCnn, ShapeError } from '../src/index';
import { testEngine } from './support/gpu';

async function parameterShapes(options: Parameters<typeof referenceCnn>[1]): Promise<Record<string, number[]>> {
  const model = referenceCnn(await testEngine(), options);
  try {
    const parameters = await model.getParameters();
    return Object.fromEntries([...parameters].map(([name, tensor]) => [name, [...tensor.shape]]));
  } finally {
    await model.dispose();
  }
}

test('the defaults are the tutorial network for 1 × 28 × 28 and 10 classes', async () => {
  expect(await parameterShapes({ seed: 1 })).toEqual({
    'conv1.0.weight': [16, 1, 5, 5], 'conv1.0.bias': [16], 'conv2.0.weight': [32, 16, 5, 5], 'conv2.0.bias': [32], 'out.weight': [10, 1568], 'out.bias': [10],
  });
});

test('colour, an odd size and six classes: the first convolution takes 3 channels, the Linear 32·⌊H/4⌋·⌊W/4⌋ features', async () => {
  const shapes = await parameterShapes({ seed: 1, inputShape: [3, 30, 17], classes: 6 });
  expect(shapes['conv1.0.weight']).toEqual([16, 3, 5, 5]);
  expect(shapes['out.weight']).toEqual([6, 32 * 7 * 4]);
  const model = referenceCnn(await testEngine(), { seed: 1, inputShape: [3, 30, 17], classes: 6 });
  try {
    const logits = await model.predict(new Uint8Array(2 * 3 * 30 * 17).fill(100));
    expect(logits.shape).toEqual([2, 6]);
    expect(Array.from(logits.data).every(Number.isFinite)).toBe(true);
  } finally {
    await model.dispose();
  }
});

test('a picture smaller than 4 × 4 is refused before any layer is made', async () => {
  const engine = await testEngine();
  expect(() => referenceCnn(engine, { inputShape: [1, 3, 28] })).toThrow(ShapeError);
  expect(() => referenceCnn(engine, { inputShape: [28, 28] })).toThrow(/\[channels, height, width\]/);
});
