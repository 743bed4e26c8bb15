// gather_batch.wgsl (through BatchStream): batches built on the GPU from a byte or float dataset and an
// index order, with the cursor advancing on the GPU from one batch to the next.
import { expect, test } from 'vitest';
import { BatchStream } from '../src/data/batches';
import { Dataset } from '../src/data/dataset';
import { BufferGroup } from '../src/gpu/buffer_group';
import { Random } from '../src/random';
import { expectClose } from './support/compare';
import { poisoned, testEngine } from './support/gpu';

test.each([
  ['bytes', 1, 23, 7, [1, 3, 5]],
  ['bytes', 3, 10, 3, [3, 1, 1]],
  ['floats', 2, 9, 4, [2, 7]],
  ['bytes', 50, 120, 2, [1, 28, 28]],
] as const)('%s: batch %i of %i samples, %i batches, sample shape %o', async (kind, batch, count, batches, shape) => {
  const engine = await testEngine();
  const random = new Random(count);
  const sampleSize = (shape as readonly number[]).reduce((a, b) => a * b, 1);
  const samples = kind === 'bytes' ? Uint8Array.from({ length: count * sampleSize }, () => random.below(256)) : Float32Array.from({ length: count * sampleSize }, () => random.uniform(-3, 3));
  const labels = Uint32Array.from({ length: count }, () => random.below(10));
  const dataset = Dataset.upload(engine, { samples, labels, sampleShape: shape, name: `gather ${kind}` });
  const memory = new BufferGroup(engine);
  try {
    const values = await poisoned(memory, 'batch values', batch * sampleSize);
    const batchLabels = memory.createBuffer('batch labels', batch * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const stream = await BatchStream.create(memory, dataset, batch, values, batchLabels);
    const order = random.permutation(count);
    stream.setOrder(order, 1);
    for (let b = 0; b < batches; b++) {
      const encoder = engine.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      stream.record(pass);
      pass.end();
      engine.device.queue.submit([encoder.finish()]);
      const gotValues = new Float32Array(await engine.read(values, 0, batch * sampleSize * 4));
      const gotLabels = new Uint32Array(await engine.read(batchLabels, 0, batch * 4));
      const picked = Array.from(order.subarray(1 + b * batch, 1 + (b + 1) * batch));
      const expected = picked.flatMap((i) => Array.from(samples.subarray(i * sampleSize, (i + 1) * sampleSize), (v) => (kind === 'bytes' ? v / 255 : v)));
      expectClose(`batch ${b} values`, gotValues, expected);
      expect(Array.from(gotLabels)).toEqual(picked.map((i) => labels[i]));
    }
  } finally {
    memory.dispose();
    dataset.dispose();
  }
});
