// dropout.wgsl (through the Dropout layer) against the float64 reference: the Philox-4x32-10 reference
// against the published known answers, the GPU's mask equal to the reference's bit for bit, forward and
// backward within the f32 tolerance, evaluation and the edge probabilities exactly, and the statistics
// of the stream (kept fraction, independence between steps, seeds and layers) within 5 standard deviations.
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../src/gpu/errors';
import { Adam, AdaptiveAvgPool2d, Conv2d, Flatten, Linear, ReLU, Sequential } from '../src/index';
import { Dropout, dropoutStream } from '../src/layers/dropout';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { awayFromZero, runLayer, testEngine } from './support/gpu';
import { tinyDigits } from './support/training';
import { philox4x32 } from './reference/philox';
import * as ops from './reference/ops';

const LABEL = 'classifier.1 (Dropout)';
const hex = (words: readonly number[]) => words.map((v) => v.toString(16).padStart(8, '0')).join(' ');

// Random123 1.14, examples/kat_vectors: "philox4x32 10 <counter> <key> <expected>".
test.each([
  ['00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  ['ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  ['243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
])('philox4x32-10 reference: counter %s, key %s', (counter, key, expected) => {
  const words = (s: string) => s.split(' ').map((w) => parseInt(w, 16));
  expect(hex(philox4x32(words(counter), words(key)))).toBe(expected);
});

/** The mask the GPU applied, read from an output whose inputs are all nonzero. */
const maskOf = (values: Float32Array) => Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
const mismatches = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

async function trainingRun(p: number, batch: number, shape: number[], clock: { seed: number; step: number }, label = LABEL, withBackward = true) {
  const random = new Random(batch * 131 + shape[0]);
  const count = batch * shape.reduce((a, b) => a * b, 1);
  const input = awayFromZero(random, count);
  const gradOutput = withBackward ? awayFromZero(random, count) : undefined;
  const run = await runLayer(await testEngine(), new Dropout({ p }), { batch, inputShape: shape, input, gradOutput, training: true, clock, label });
  return { input, gradOutput, run, count };
}

describe('dropout in training: the GPU draws the reference mask and applies it', () => {
  test.each([
    { p: 0.5, batch: 1, shape: [1], seed: 0, step: 1 },
    { p: 0.5, batch: 3, shape: [21], seed: 7, step: 1 },
    { p: 0.2, batch: 10, shape: [4, 5, 5], seed: 12345, step: 1000 },
    { p: 0.7, batch: 50, shape: [64], seed: 0xdeadbeef, step: 0xfffffff0 },
    { p: 0.5, batch: 50, shape: [64], seed: 3, step: 2 },
  ])('%o', async ({ p, batch, shape, seed, step }) => {
    const { input, gradOutput, run, count } = await trainingRun(p, batch, shape, { seed, step });
    const mask = ops.dropoutMask(count, p, seed, step, dropoutStream(LABEL));
    expect(mismatches(maskOf(run.output), mask), 'forward mask: elements that differ from the reference').toBe(0);
    expect(mismatches(maskOf(run.gradInput!), mask), 'backward mask: elements that differ from the reference').toBe(0);
    expectClose('output', run.output, ops.dropout(f64(input), mask, p));
    expectClose('input gradient', run.gradInput!, ops.dropoutBackward(f64(gradOutput!), mask, p));
  });

  test('a mask of 3200 elements drops some and keeps some (so the comparisons above can fail)', () => {
    const mask = ops.dropoutMask(3200, 0.5, 3, 2, dropoutStream(LABEL));
    const kept = mask.reduce((a, b) => a + b, 0);
    expect(kept).toBeGreaterThan(1400);
    expect(kept).toBeLessThan(1800);
  });
});

describe('dropout: the edge cases exactly', () => {
  test('evaluation is the identity', async () => {
    const input = awayFromZero(new Random(1), 3 * 7 * 5);
    const run = await runLayer(await testEngine(), new Dropout({ p: 0.5 }), { batch: 3, inputShape: [7, 5], input, training: false });
    expect(run.output).toEqual(input);
  });

  test('p = 0 in training is the identity, forward and backward', async () => {
    const { input, gradOutput, run } = await trainingRun(0, 5, [63], { seed: 1, step: 4 });
    expect(run.output).toEqual(input);
    expect(run.gradInput).toEqual(gradOutput);
  });

  test('p = 1 in training zeroes everything, forward and backward', async () => {
    const { run } = await trainingRun(1, 5, [63], { seed: 1, step: 4 });
    expect(run.output.every((v) => Object.is(v, 0))).toBe(true);
    expect(run.gradInput!.every((v) => Object.is(v, 0))).toBe(true);
  });

  test.each([-0.1, 1.5, NaN, Infinity])('p = %s is refused before any GPU work', (p) => {
    expect(() => new Dropout({ p })).toThrow(ConfigError);
  });
});

// Two masks drawn independently with keep probability q agree on an element with probability
// q² + (1 − q)²; a binomial count over n elements lies within 5 standard deviations of its mean
// except with probability below 10⁻⁶.
function expectBinomial(name: string, successes: number, n: number, probability: number) {
  const sd = Math.sqrt(n * probability * (1 - probability));
  expect(Math.abs(successes - n * probability), `${name}: ${successes} of ${n}, expected ${n * probability} ± 5·${sd.toFixed(1)}`).toBeLessThanOrEqual(5 * sd);
}

describe('dropout: the statistics of the stream', () => {
  test.each([0.1, 0.5, 0.9])('p = %s keeps a fraction 1 − p of 2^20 elements', async (p) => {
    const { run, count } = await trainingRun(p, 16, [16, 64, 64], { seed: 2024, step: 17 }, LABEL, false);
    expectBinomial('kept', maskOf(run.output).reduce((a, b) => a + b, 0), count, 1 - p);
  });

  test('steps, seeds and layers draw independent masks', async () => {
    const p = 0.5;
    const shape = [8, 32, 32];
    const base = maskOf((await trainingRun(p, 2, shape, { seed: 3, step: 1 }, LABEL, false)).run.output);
    const others = {
      'next step': maskOf((await trainingRun(p, 2, shape, { seed: 3, step: 2 }, LABEL, false)).run.output),
      'next seed': maskOf((await trainingRun(p, 2, shape, { seed: 4, step: 1 }, LABEL, false)).run.output),
      'another layer': maskOf((await trainingRun(p, 2, shape, { seed: 3, step: 1 }, 'classifier.4 (Dropout)', false)).run.output),
    };
    for (const [name, mask] of Object.entries(others)) {
      expectBinomial(`${name}: elements where the masks agree`, base.length - mismatches(base, mask), base.length, p * p + (1 - p) * (1 - p));
    }
  });
});

// Through the model: the mask must come from the clock alone, so a run repeats exactly; and a seed's
// draws must reach the loss (another run seed, with shuffling off, changes only the masks).
test('in a Sequential, training with dropout repeats exactly for a seed and differs for another', async () => {
  const engine = await testEngine();
  const data = tinyDigits(engine, 120, 1);
  const fit = async (seed: number) => {
    const model = new Sequential(
      engine,
      [
        new Conv2d({ name: 'conv', inChannels: 1, outChannels: 6, kernelSize: 3, padding: 1 }),
        new ReLU(),
        new AdaptiveAvgPool2d({ outputSize: 2 }),
        new Flatten(),
        new Dropout({ name: 'drop', p: 0.5 }),
        new Linear({ name: 'fc', inFeatures: 24, outFeatures: 10 }),
      ],
      { inputShape: [1, 8, 8], seed: 3 },
    );
    model.compile({ optimizer: new Adam({ lr: 1e-2 }) });
    const result = await model.fit(data, { batchSize: 20, epochs: 2, seed, shuffle: false, logEvery: 1 });
    await model.dispose();
    return result.logs.map((l) => l.loss);
  };
  const [first, again, other] = [await fit(9), await fit(9), await fit(10)];
  expect(first.every(Number.isFinite)).toBe(true);
  expect(again).toEqual(first);
  expect(other.slice(1)).not.toEqual(first.slice(1));
});
