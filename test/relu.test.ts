// relu.wgsl (through the ReLU layer, in place) against the float64 reference.
import { test } from 'vitest';
import { ReLU } from '../src/layers/relu';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { awayFromZero, randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

test.each([
  [1, [7]],
  [3, [16, 5, 5]],
  [5, [3, 11, 13]],
])('relu, batch %i, shape %o', async (batch, shape) => {
  const engine = await testEngine();
  const random = new Random(batch);
  const size = batch * shape.reduce((a, b) => a * b, 1);
  const input = awayFromZero(random, size);
  const gradOutput = randomArray(random, size);
  const run = await runLayer(engine, new ReLU(), { batch, inputShape: shape, input, gradOutput });
  const y = ops.relu(f64(input));
  expectClose('output', run.output, y);
  expectClose('input gradient', run.gradInput!, ops.reluBackward(y, f64(gradOutput)));
});
