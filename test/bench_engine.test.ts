// `npm run bench -- --model small-resnet`, briefly: the benchmark's engine measurement on the small ResNet
// in Node (one timed step of a small batch), and the bench command's new options. Checks the report names
// the model and adapter, counts the FLOPs the layers declare, and carries the dispatch figures; no timing
// is asserted: the figures are the benchmark's to print.
import { expect, test } from 'vitest';
import { measureEngine } from '../src/bench/measure_engine';
import { parseBenchOptions } from '../src/cli/bench_options';
import { loadMnistFromPackage } from '../src/data/mnist_node';
import { smallResNet } from '../src/index';
import { testEngine } from './support/gpu';

const BRIEF = { steps: 8, batchSize: 10, evalImages: 20 };
const positive = (x: number) => Number.isFinite(x) && x > 0;

test('the small ResNet is measured per kernel, with its FLOPs and the dispatch figures', async () => {
  const engine = await testEngine();
  const report = await measureEngine(engine, await loadMnistFromPackage(), { ...BRIEF, model: 'small-resnet', stepsPerSubmit: 2 });
  const model = smallResNet(engine);
  expect(report).toMatchObject({ model: 'small-resnet', adapter: engine.adapter.label, parameters: model.parameterCount, batch_size: 10, steps: 8, steps_per_submit_option: 2 });
  // Eight timed steps, two to a submission (in four rounds of two, alternating with the same steps one per submission).
  expect(report.dispatch.steps_per_submit).toBe(2);
  expect(report.one_step_per_submit.steps_per_submit).toBe(1);
  for (const d of [report.dispatch, report.one_step_per_submit]) {
    expect([d.train_samples_per_s, d.host_submit_ms_per_step].every(positive)).toBe(true);
    expect(Number.isFinite(d.gpu_idle_ms_per_step)).toBe(true);
  }
  expect([report.train_samples_per_s, report.gpu_step_ms, report.matmul_gflops, report.eval_images_per_s].every(positive)).toBe(true);
  expect(Number.isFinite(report.final_loss)).toBe(true);
  expect(report.eval_flops_per_image).toBe(model.forwardFlops());
  // The ceiling is the median of the fastest kernel's runs: 3 first, then one after each of the 4 rounds,
  // after evaluation and after the profile; its range holds it.
  expect(report.matmul_runs).toBe(3 + 4 + 2);
  const [low, high] = report.matmul_gflops_range;
  expect(low <= report.matmul_gflops && report.matmul_gflops <= high && low > 0).toBe(true);

  const names = report.kernels.map((k) => k.name);
  for (const kernel of ['features.1 (BatchNorm2d)', 'block (Residual) sum', 'head.4 (AdaptiveAvgPool2d)', 'head.7 (Linear)']) {
    expect(names.some((n) => n.includes(kernel))).toBe(true);
  }
  // Convolutions without bias have no bias gradient to time.
  expect(names.filter((n) => /\(Conv2d\) bias gradient/.test(n))).toEqual([]);
  // FLOPs per sample of each counted kernel, from the shapes: a convolution's three passes each do
  // 2·Cout·H·W·Cin·3·3 (the first has no input gradient: its input is data); BatchNorm over C·H·W values.
  const perSample = new Map(report.kernels.map((k) => [k.name.replace(/ \([\w.]+\)$/, ''), k.flops / BRIEF.batchSize]));
  const conv = (cout: number, hw: number, cin: number) => 2 * cout * hw * hw * cin * 9;
  const expected: Array<[string, number]> = [
    ['features.0 (Conv2d) forward', conv(16, 28, 1)],
    ['features.0 (Conv2d) weight gradient', conv(16, 28, 1)],
    ['features.4 (Conv2d) input gradient', conv(32, 14, 16)],
    ['block.0 (Conv2d) forward', conv(32, 14, 32)],
    ['block.3 (Conv2d) weight gradient', conv(32, 14, 32)],
    ['head.1 (Conv2d) forward', conv(64, 7, 32)],
    ['features.1 (BatchNorm2d) statistics', 3 * 16 * 28 * 28],
    ['features.1 (BatchNorm2d) normalize', 4 * 16 * 28 * 28],
    ['block (Residual) sum', 32 * 14 * 14],
    ['head.7 (Linear) forward', 2 * 64 * 10],
  ];
  for (const [name, flops] of expected) expect([name, perSample.get(name)]).toEqual([name, flops]);
  expect(perSample.has('features.0 (Conv2d) input gradient')).toBe(false);
  expect(report.flops_per_sample).toBe(report.kernels.reduce((a, k) => a + k.flops, 0) / BRIEF.batchSize);
  await model.dispose();
}, 300_000);

test('bench options: --model and --steps-per-submit', () => {
  expect(parseBenchOptions([])).toMatchObject({ model: 'reference', stepsPerSubmit: 'auto' });
  expect(parseBenchOptions(['--model', 'small-resnet', '--steps-per-submit', '4'])).toMatchObject({ model: 'small-resnet', stepsPerSubmit: 4 });
  expect(() => parseBenchOptions(['--model', 'resnet50'])).toThrow('--model is "resnet50"; it must be one of reference, small-resnet');
  expect(() => parseBenchOptions(['--steps-per-submit', '0'])).toThrow('--steps-per-submit is "0"; it must be auto or an integer from 1 to 1000');
});
