// `npm run bench`: how fast the engine trains and evaluates the reference CNN on every adapter present,
// per kernel, against the adapter's own ceiling (a register-blocked matmul). Prints figures; asserts nothing.
import { parseArgs } from 'node:util';
import { loadMnistFromPackage } from '../data/mnist_node';
import { Adam, Dataset, EngineError, createNodeEngine, referenceCnn, type AdapterChoice, type Engine } from '../node';
import { measureMatmulCeiling } from '../matmul_ceiling';
import { runCommand } from './run_command';

const USAGE = `Usage: npm run bench -- [--adapter all|gpu|lavapipe|swiftshader] [--steps N] [--batch-size N] [--json]
  --adapter     which adapters to measure (default all: every one present)
  --steps       timed training steps after warm-up (default 20)
  --batch-size  images per training step (default 50, as the reference recipe)
  --json        print one JSON object instead of tables`;

interface AdapterReport {
  adapter: string;
  first_step_seconds: number;
  train_samples_per_s: number;
  train_gflops: number;
  eval_images_per_s: number;
  flops_per_sample: number;
  matmul_gflops: number;
  kernels: Array<{ name: string; ms: number; gflops: number; share: number }>;
  timing: string;
}

async function benchAdapter(engine: Engine, mnist: Awaited<ReturnType<typeof loadMnistFromPackage>>, steps: number, batch: number): Promise<AdapterReport> {
  const images = Math.max(2000, (steps + 3) * batch);
  const train = Dataset.upload(engine, { samples: mnist.train.images.subarray(0, images * 784), labels: mnist.train.labels.subarray(0, images), sampleShape: [1, 28, 28], name: 'train' });
  const test = Dataset.upload(engine, { samples: mnist.test.images.subarray(0, 2000 * 784), labels: mnist.test.labels.subarray(0, 2000), sampleShape: [1, 28, 28], name: 'test' });
  const model = referenceCnn(engine, { seed: 1 });
  model.compile({ optimizer: new Adam() });
  try {
    // First step: pipeline compilation (asynchronous, in parallel) plus one step.
    let started = performance.now();
    await model.fit(train, { batchSize: batch, maxSteps: 1, logEvery: 1e9 });
    const firstStep = (performance.now() - started) / 1000;
    await model.fit(train, { batchSize: batch, maxSteps: 2, logEvery: 1e9 }); // warm-up
    const timed = await model.fit(train, { batchSize: batch, maxSteps: steps, logEvery: 1e9 });

    await model.evaluate(test, { batchSize: 500 }); // warm-up: compiles the evaluation plan
    started = performance.now();
    await model.evaluate(test, { batchSize: 500 });
    const evalSeconds = (performance.now() - started) / 1000;

    const profile = await model.profileTrainingStep(train, { batchSize: batch, repeats: 5 });
    const totalMs = profile.times.reduce((a, t) => a + t.ms, 0);
    const flopsPerStep = profile.times.reduce((a, t) => a + t.flops, 0);
    const ceiling = await measureMatmulCeiling(engine);
    return {
      adapter: engine.adapter.label,
      first_step_seconds: firstStep,
      train_samples_per_s: timed.samplesPerSecond,
      train_gflops: (timed.samplesPerSecond * flopsPerStep) / batch / 1e9,
      eval_images_per_s: test.count / evalSeconds,
      flops_per_sample: flopsPerStep / batch,
      matmul_gflops: ceiling.gflops,
      kernels: profile.times.map((t) => ({ name: t.name, ms: t.ms, gflops: t.flops / (t.ms / 1000) / 1e9, share: t.ms / totalMs })),
      timing: profile.method,
    };
  } finally {
    await model.dispose();
    train.dispose();
    test.dispose();
  }
}

function printReport(r: AdapterReport): void {
  console.log(`\n${r.adapter}`);
  console.log(`  training   ${r.train_samples_per_s.toFixed(1)} samples/s (${r.train_gflops.toFixed(2)} GFLOP/s at ${(r.flops_per_sample / 1e6).toFixed(1)} MFLOP per sample), batch 50, steady state`);
  console.log(`  evaluation ${r.eval_images_per_s.toFixed(1)} images/s (batch 500)`);
  console.log(`  first step ${r.first_step_seconds.toFixed(2)} s (pipeline compilation included)`);
  console.log(`  ceiling    ${r.matmul_gflops.toFixed(2)} GFLOP/s (register-blocked vec4 matmul, 1024³); training reaches ${((100 * r.train_gflops) / r.matmul_gflops).toFixed(0)}% of it`);
  console.log(`  per kernel (${r.timing}, median of 5 steps):`);
  console.log(`    ${'kernel'.padEnd(58)} ${'ms'.padStart(8)} ${'GFLOP/s'.padStart(8)} ${'share'.padStart(6)}`);
  for (const k of r.kernels) {
    if (k.ms === 0 && k.gflops === 0) continue;
    console.log(`    ${k.name.padEnd(58)} ${k.ms.toFixed(2).padStart(8)} ${(Number.isFinite(k.gflops) && k.gflops > 0 ? k.gflops.toFixed(2) : '').padStart(8)} ${(100 * k.share).toFixed(1).padStart(5)}%`);
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { adapter: { type: 'string', default: 'all' }, steps: { type: 'string', default: '20' }, 'batch-size': { type: 'string', default: '50' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } }));
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const steps = Number(values.steps);
  const batch = Number(values['batch-size']);
  const choices = values.adapter === 'all' ? (['gpu', 'lavapipe', 'swiftshader'] as AdapterChoice[]) : [values.adapter as AdapterChoice];
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(batch) || batch < 1 || !choices.every((c) => ['gpu', 'lavapipe', 'swiftshader', 'auto'].includes(c))) {
    console.error(`bench: bad option value\n\n${USAGE}`);
    return 2;
  }
  const mnist = await loadMnistFromPackage();
  const reports: AdapterReport[] = [];
  for (const choice of choices) {
    let engine: Engine;
    try {
      engine = await createNodeEngine({ adapter: choice });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      if (values.adapter !== 'all') throw e;
      if (!values.json) console.log(`\n${choice}: not present`);
      continue;
    }
    try {
      const report = await benchAdapter(engine, mnist, steps, batch);
      reports.push(report);
      if (!values.json) printReport(report);
    } finally {
      engine.dispose();
    }
  }
  if (values.json) console.log(JSON.stringify({ date: new Date().toISOString(), batch_size: batch, steps, adapters: reports }));
  return 0;
}

runCommand('bench', main);
