// softmax.wgsl (through the Softmax layer) against the float64 reference, forward and backward, with
// logits large enough to overflow a naive exp(); dim and shapes refused as PyTorch's dim would differ.
import { expect, test } from 'vitest';
import { ConfigError, ShapeError } from '../src/gpu/errors';
import { Softmax } from '../src/layers/softmax';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as act from './reference/activations';

// Logits scaled by `scale` and shifted by ±`shift` (alternately), so a naive exp() would overflow at shift 1000.
test.each([
  [1, 1, 1, 0],
  [1, 63, 4, 0],
  [4, 250, 1, 0],
  [70, 5, 30, 0],
  [3, 10, 2, 1000],
])('batch %i, %i features, logit scale %d, shift ±%d', async (batch, features, scale, shift) => {
  const engine = await testEngine();
  const random = new Random(batch * 7 + features);
  const input = randomArray(random, batch * features).map((v, i) => v * scale + (i % 2 ? -shift : shift));
  const gradOutput = randomArray(random, input.length);
  for (const dim of [1, -1]) {
    const run = await runLayer(engine, new Softmax({ dim }), { batch, inputShape: [features], input, gradOutput });
    const y = act.softmax(features, f64(input));
    expectClose('output', run.output, y);
    expectClose('input gradient', run.gradInput!, act.softmaxBackward(features, y, f64(gradOutput)));
  }
});

test('dim other than the features, or an output that is not [features], is refused', () => {
  expect(() => new Softmax({ dim: 0 })).toThrow(ConfigError);
  expect(() => new Softmax({ name: 'probs', dim: 2 })).toThrow('Softmax "probs": dim is 2. dim must be 1 or -1: the features of a [N, features] output (Flatten first).');
  expect(() => new Softmax().outputShape([3, 4, 4])).toThrow(ShapeError);
  expect(() => new Softmax().outputShape([3, 4, 4])).toThrow('Softmax: got shape [3, 4, 4], expected [features] per sample');
  expect(new Softmax().dim).toBe(1);
});
