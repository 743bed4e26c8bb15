// The scheduler's promises: a training step creates no buffer, bind group or pipeline and maps nothing
// (counted on the device, not judged by eye); training is deterministic; the loss falls.
import { expect, test } from 'vitest';
import { Adam, AdamW, Dataset, referenceCnn, type FitOptions, type Optimizer } from '../src/index';
import { Random } from '../src/random';
import { testEngine } from './support/gpu';

/** Counts the device calls that allocate, compile, bind or read back, while `run` executes. */
async function countDeviceCalls(device: GPUDevice, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const names = ['createBuffer', 'createBindGroup', 'createComputePipeline', 'createComputePipelineAsync', 'createShaderModule', 'createBindGroupLayout'] as const;
  const originals = names.map((name) => [name, (device as any)[name]] as const);
  for (const [name, original] of originals) {
    counts[name] = 0;
    (device as any)[name] = function (this: GPUDevice, ...args: unknown[]) {
      counts[name]++;
      return original.apply(this, args);
    };
  }
  try {
    await run();
  } finally {
    for (const [name, original] of originals) (device as any)[name] = original;
  }
  return counts;
}

function syntheticDigits(count: number, seed: number) {
  // Ten fixed random "prototype" images plus noise: learnable, so the loss must fall.
  const random = new Random(seed);
  const prototypes = Array.from({ length: 10 }, () => Uint8Array.from({ length: 784 }, () => (random.next() < 0.2 ? 255 : 0)));
  const labels = Uint32Array.from({ length: count }, () => random.below(10));
  const samples = new Uint8Array(count * 784);
  labels.forEach((label, n) => {
    for (let i = 0; i < 784; i++) samples[n * 784 + i] = random.next() < 0.1 ? random.below(256) : prototypes[label][i];
  });
  return { samples, labels };
}

test.each<[string, () => Optimizer, FitOptions]>([
  ['Adam', () => new Adam(), {}],
  ['AdamW with groups, warm-up + cosine and gradient clipping', () => new AdamW({ groups: [{ params: (p) => p.name.endsWith('.bias'), weightDecay: 0 }] }), { schedule: 'warmup-cosine', warmupSteps: 2, clipGradNorm: 1 }],
])('a training step allocates nothing, binds nothing, compiles nothing (%s)', async (_, optimizer, options) => {
  const engine = await testEngine();
  const { samples, labels } = syntheticDigits(40, 1);
  const data = Dataset.upload(engine, { samples, labels, sampleShape: [1, 28, 28], name: 'steps' });
  const model = referenceCnn(engine, { seed: 1 });
  model.compile({ optimizer: optimizer() });
  await model.fit(data, { ...options, batchSize: 10, epochs: 1 }); // builds the plan and compiles the pipelines
  const before = engine.bufferStats();
  // Same number of loss reads (one, at the end), 1 vs 4 epochs of 4 steps: any per-step cost shows as a difference.
  const short = await countDeviceCalls(engine.device, () => model.fit(data, { ...options, batchSize: 10, epochs: 1, logEvery: 1000 }));
  const long = await countDeviceCalls(engine.device, () => model.fit(data, { ...options, batchSize: 10, epochs: 4, logEvery: 1000 }));
  expect(long).toEqual(short);
  expect(short.createBindGroup + short.createComputePipelineAsync + short.createShaderModule).toBe(0);
  expect(engine.bufferStats().live).toBe(before.live);
  await model.dispose();
  data.dispose();
});

test('same seed, same losses; the loss falls; dispose frees every buffer', async () => {
  const engine = await testEngine();
  const baseline = engine.bufferStats();
  const { samples, labels } = syntheticDigits(200, 2);
  const data = Dataset.upload(engine, { samples, labels, sampleShape: [1, 28, 28], name: 'synthetic' });
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const model = referenceCnn(engine, { seed: 5 });
    model.compile({ optimizer: new Adam({ lr: 2e-3 }) });
    runs.push(await model.fit(data, { batchSize: 20, epochs: 3, seed: 9, logEvery: 5 }));
    const accuracy = await model.evaluate(data);
    expect(accuracy.accuracy).toBeGreaterThan(0.9);
    await model.dispose();
  }
  expect(runs[0].logs.map((l) => l.loss)).toEqual(runs[1].logs.map((l) => l.loss));
  expect(runs[0].logs.length).toBe(6);
  // Each log is one batch's loss, so the bound leaves room for batch-to-batch noise.
  expect(runs[0].finalLoss).toBeLessThan(runs[0].logs[0].loss * 0.75);
  data.dispose();
  expect(engine.bufferStats().live).toBe(baseline.live);
  expect(engine.bufferStats().bytes).toBe(baseline.bytes);
});
