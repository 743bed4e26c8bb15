// softmax_cross_entropy.wgsl (through SoftmaxCrossEntropy) against the float64 reference, including
// logits large enough to overflow a naive exp(), and the non-finite loss flag.
import { expect, test } from 'vitest';
import { BufferGroup } from '../src/gpu/buffer_group';
import { SoftmaxCrossEntropy } from '../src/loss';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { poisoned, randomArray, testEngine } from './support/gpu';
import * as ops from './reference/ops';

async function run(batch: number, classes: number, logits: Float32Array, labels: Uint32Array) {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const logitsBuffer = memory.floats('logits', logits.length);
    engine.write(logitsBuffer, 0, logits);
    const labelsBuffer = engine.upload('labels', labels);
    const grad = await poisoned(memory, 'grad', logits.length);
    const loss = await SoftmaxCrossEntropy.create(memory, 'test loss', batch, classes, logitsBuffer, grad, labelsBuffer);
    const encoder = engine.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    loss.record(pass);
    pass.end();
    engine.device.queue.submit([encoder.finish()]);
    engine.release(labelsBuffer);
    return { stats: await loss.read(), grad: new Float32Array(await engine.read(grad, 0, logits.byteLength)) };
  } finally {
    memory.dispose();
  }
}

test.each([
  [1, 10, 1],
  [50, 10, 1],
  [67, 3, 5],
  [5, 130, 2],
  [4, 10, 1e4],
])('batch %i, %i classes, logit scale %d', async (batch, classes, scale) => {
  const random = new Random(batch + classes);
  const logits = randomArray(random, batch * classes).map((v) => v * scale);
  const labels = Uint32Array.from({ length: batch }, () => random.below(classes));
  const { stats, grad } = await run(batch, classes, logits, labels);
  const ref = ops.softmaxCrossEntropy(batch, classes, f64(logits), labels);
  expectClose('loss', [stats.loss], [ref.loss]);
  expectClose('logit gradient', grad, ref.grad);
  expect(stats.firstNonFinite).toBe(0);
});

test('a NaN logit is flagged, not hidden', async () => {
  const logits = Float32Array.from([0.5, NaN, 1, 2, 3, 4]);
  const { stats } = await run(2, 3, logits, Uint32Array.from([0, 1]));
  expect(Number.isNaN(stats.loss)).toBe(true);
  expect(stats.firstNonFinite).toBe(1);
});
