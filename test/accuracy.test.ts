// accuracy.wgsl (through AccuracyCounter and Sequential.evaluate): argmax takes the first maximum,
// and the correct count accumulates over batches, including a smaller last batch.
import { expect, test } from 'vitest';
import { AccuracyCounter } from '../src/accuracy';
import { BufferGroup } from '../src/gpu/buffer_group';
import { Random } from '../src/random';
import { randomArray, testEngine } from './support/gpu';

test.each([
  [1, 10, 1],
  [50, 10, 3],
  [67, 3, 2],
])('batch %i, %i classes, %i batches', async (batch, classes, batches) => {
  const engine = await testEngine();
  const random = new Random(batch * classes);
  const memory = new BufferGroup(engine);
  try {
    const logits = memory.floats('logits', batch * classes);
    const labels = memory.createBuffer('labels', batch * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const counter = await AccuracyCounter.create(memory, 'test', batch, classes, logits, labels);
    counter.reset();
    let expected = 0;
    for (let b = 0; b < batches; b++) {
      // Quantised logits make ties common: argmax must take the first maximum.
      const values = randomArray(random, batch * classes).map((v) => Math.round(v * 2));
      const truth = Uint32Array.from({ length: batch }, () => random.below(classes));
      engine.write(logits, 0, values);
      engine.write(labels, 0, truth);
      const encoder = engine.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      counter.record(pass);
      pass.end();
      engine.device.queue.submit([encoder.finish()]);
      const predictions = new Uint32Array(await engine.read(counter.predictions, 0, batch * 4));
      for (let n = 0; n < batch; n++) {
        const row = Array.from(values.subarray(n * classes, (n + 1) * classes));
        const first = row.indexOf(Math.max(...row));
        expect(predictions[n], `sample ${n}`).toBe(first);
        if (first === truth[n]) expected++;
      }
    }
    expect(await counter.readCorrect()).toBe(expected);
  } finally {
    memory.dispose();
  }
});
