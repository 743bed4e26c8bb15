// Long runs: thousands of steps of a tiny model (a Linear layer on 4×4 inputs, batch 8) with checkpoints
// taken along the way allocate no GPU buffer and keep the JS heap flat; dispose() returns every buffer the
// model made, and a disposed model refuses every call with DisposedError.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { expect, test } from 'vitest';
import { Adam, Dataset, DisposedError, Flatten, Linear, Sequential, loadCheckpoint, saveCheckpoint, saveWeights } from '../src/index';
import { Random } from '../src/random';
import { testEngine } from './support/gpu';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STEPS = 4000;
/** Allowed growth of the JS heap (after a full collection) over the long run. */
const HEAP_MARGIN_BYTES = 2 * 1024 * 1024;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

test(`${STEPS} steps with checkpoints: no GPU buffer made, GPU memory and JS heap flat; dispose() frees everything`, async () => {
  const engine = await testEngine();
  const empty = engine.bufferStats();
  const random = new Random(1);
  const count = 800;
  const labels = Uint32Array.from({ length: count }, () => random.below(4));
  const samples = Float32Array.from({ length: count * 16 }, (_, i) => labels[Math.floor(i / 16)] === i % 4 ? 1 : random.next() * 0.1);
  const data = Dataset.upload(engine, { samples, labels, sampleShape: [1, 4, 4], name: 'soak' });
  const model = new Sequential(engine, [new Flatten(), new Linear({ name: 'fc', inFeatures: 16, outFeatures: 4 })], { inputShape: [1, 4, 4], seed: 1 });
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  const options = { batchSize: 8, logEvery: 500, seed: 3 };
  // Warm up: plans, pipelines, the checkpoint path, V8's compiled code.
  await model.fit(data, { ...options, epochs: 1000, maxSteps: 500, onLog: async () => void (await saveCheckpoint(model)) });
  const gpuBefore = engine.bufferStats();
  const heapBefore = heapAfterGc();

  let checkpoints = 0;
  const started = performance.now();
  const result = await model.fit(data, {
    ...options,
    epochs: 1000,
    maxSteps: STEPS,
    resume: true,
    onLog: async () => {
      await loadCheckpoint(model, await saveCheckpoint(model));
      checkpoints++;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const gpuAfter = engine.bufferStats();
  const heapAfter = heapAfterGc();
  console.log(
    `${result.steps} steps in ${seconds.toFixed(1)} s (${(seconds / result.steps * 1000).toFixed(2)} ms a step), ${checkpoints} checkpoints; ` +
      `GPU ${gpuBefore.live} buffers / ${gpuBefore.bytes} bytes before and ${gpuAfter.live} / ${gpuAfter.bytes} after; ` +
      `JS heap ${(heapBefore / 2 ** 20).toFixed(2)} MiB before, ${(heapAfter / 2 ** 20).toFixed(2)} MiB after`,
  );
  expect(result.steps).toBe(STEPS);
  expect(result.finalLoss).toBeLessThan(result.logs[0].loss);
  expect(checkpoints).toBe(STEPS / options.logEvery);
  expect(gpuAfter).toEqual(gpuBefore); // live buffers, bytes, and buffers ever created
  expect(heapAfter - heapBefore).toBeLessThan(HEAP_MARGIN_BYTES);

  await model.dispose();
  data.dispose();
  expect(engine.bufferStats()).toMatchObject({ live: empty.live, bytes: empty.bytes });

  const disposed = /this model was disposed/;
  await expect(model.fit(data, options)).rejects.toThrow(DisposedError);
  await expect(model.evaluate(data)).rejects.toThrow(disposed);
  await expect(model.predict(new Float32Array(16))).rejects.toThrow(disposed);
  await expect(model.getParameters()).rejects.toThrow(disposed);
  await expect(saveWeights(model)).rejects.toThrow(disposed);
  await expect(saveCheckpoint(model)).rejects.toThrow(disposed);
  expect(() => model.compile({ optimizer: new Adam() })).toThrow(disposed);
  expect(() => model.setParameters({})).toThrow(disposed);
});

test('compiling again frees the previous optimizer\'s state and trainers', async () => {
  const engine = await testEngine();
  const data = Dataset.upload(engine, { samples: new Float32Array(64 * 16), labels: new Uint32Array(64), sampleShape: [1, 4, 4], name: 'recompile' });
  const model = new Sequential(engine, [new Flatten(), new Linear({ inFeatures: 16, outFeatures: 4 })], { inputShape: [1, 4, 4] });
  model.compile({ optimizer: new Adam() });
  await model.fit(data, { batchSize: 8 });
  const once = engine.bufferStats();
  for (let i = 0; i < 5; i++) {
    model.compile({ optimizer: new Adam() });
    await model.fit(data, { batchSize: 8 });
  }
  expect(engine.bufferStats()).toMatchObject({ live: once.live, bytes: once.bytes });
  await model.dispose();
  data.dispose();
});
