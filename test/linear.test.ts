// linear.wgsl (through the Linear layer) against the float64 reference.
import { describe, expect, test } from 'vitest';
import { Linear } from '../src/layers/linear';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, runLayer, testEngine } from './support/gpu';
import * as ops from './reference/ops';

describe.each([false, true])('linear (ReLU fused: %s)', (reluAfter) => {
  test.each([
    [1, 1568, 10],
    [50, 1568, 10],
    [3, 7, 1],
    [7, 65, 129],
  ])('batch %i, %i → %i', async (batch, inF, outF) => {
    const engine = await testEngine();
    const random = new Random(batch * inF + outF);
    const input = randomArray(random, batch * inF);
    const weight = randomArray(random, outF * inF, -0.1, 0.1);
    const bias = randomArray(random, outF);
    const gradOutput = randomArray(random, batch * outF);
    const run = await runLayer(engine, new Linear({ inFeatures: inF, outFeatures: outF }), { batch, inputShape: [inF], input, params: { weight, bias }, gradOutput, fusion: { activationAfter: reluAfter ? 'relu' : undefined } });
    const pre = ops.linearForward(batch, inF, outF, f64(input), f64(weight), f64(bias));
    expectClose('output', run.output, reluAfter ? ops.relu(pre) : pre, undefined, (i) => reluAfter && Math.abs(pre[i]) < 1e-4);
    const { gx, gw, gb } = ops.linearBackward(batch, inF, outF, f64(input), f64(weight), f64(gradOutput));
    expectClose('input gradient', run.gradInput!, gx);
    expectClose('weight gradient', run.grads.weight, gw);
    expectClose('bias gradient', run.grads.bias, gb);
  });
});

test.each([
  [1, 9, 4],
  [5, 33, 7],
])('bias: false, batch %i, %i → %i: no bias tensor, the output and gradients of a zero bias', async (batch, inF, outF) => {
  const engine = await testEngine();
  const random = new Random(batch * 13 + inF);
  const input = randomArray(random, batch * inF);
  const weight = randomArray(random, outF * inF, -0.3, 0.3);
  const gradOutput = randomArray(random, batch * outF);
  const layer = new Linear({ inFeatures: inF, outFeatures: outF, bias: false });
  expect(layer.tensors().map((t) => t.name)).toEqual(['weight']);
  const run = await runLayer(engine, layer, { batch, inputShape: [inF], input, params: { weight }, gradOutput });
  expectClose('output', run.output, ops.linearForward(batch, inF, outF, f64(input), f64(weight), new Float64Array(outF)));
  const { gx, gw } = ops.linearBackward(batch, inF, outF, f64(input), f64(weight), f64(gradOutput));
  expectClose('input gradient', run.gradInput!, gx);
  expectClose('weight gradient', run.grads.weight, gw);
  expect(Object.keys(run.grads)).toEqual(['weight']);
});

test('bias must be a boolean', () => {
  expect(() => new Linear({ inFeatures: 2, outFeatures: 3, bias: 1 as unknown as boolean, name: 'fc' })).toThrow('Linear "fc": bias is 1. bias must be true or false.');
});
