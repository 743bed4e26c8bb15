// Several training steps per submission (fit's stepsPerSubmit) compute exactly what one step per
// submission does: the same parameters, optimizer state and buffers (BatchNorm's running statistics and
// num_batches_tracked), bit for bit, with Dropout, a cosine schedule and shuffling on, for group sizes that
// do and do not divide an epoch; the losses are logged at the same steps; an error inside a group is still
// reported, as a typed error naming the group's steps.
import { expect, test } from 'vitest';
import { Adam, DeviceLostError, KernelError, saveCheckpoint, type Engine, type FitOptions, type FitResult, type Sequential } from '../src/index';
import { createNodeEngine } from '../src/gpu/node_host';
import { testEngine } from './support/gpu';
import { tinyDigits, tinyResNet } from './support/training';

// 12 steps an epoch, 2 epochs: groups of 7 are cut to 7 + 5 by each epoch's end.
const RUN: FitOptions = { epochs: 2, batchSize: 10, seed: 3, schedule: 'cosine', logEvery: 1000 };
const STEPS = 24;

async function trained(engine: Engine, options: FitOptions): Promise<{ model: Sequential; result: FitResult; checkpoint: Uint8Array }> {
  const data = tinyDigits(engine, 120, 1);
  const model = tinyResNet(engine, 1);
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  const result = await model.fit(data, options);
  return { model, result, checkpoint: await saveCheckpoint(model) };
}

test.each<[number, number]>([
  // [steps per submission, submissions: an epoch of 12 is cut into groups of at most k]
  [3, 8],
  [7, 4],
  [12, 2],
])('%i steps per submission give one step per submission\'s model, bit for bit', async (k, submissions) => {
  const engine = await testEngine();
  const one = await trained(engine, { ...RUN, stepsPerSubmit: 1 });
  const grouped = await trained(engine, { ...RUN, stepsPerSubmit: k });
  expect(one.result.submissions).toBe(STEPS);
  expect(grouped.result.submissions).toBe(submissions);
  expect(grouped.result.steps).toBe(STEPS);
  expect(grouped.model.step).toBe(STEPS);
  expect(await grouped.model.getParameters()).toEqual(await one.model.getParameters());
  expect(await grouped.model.getBuffers()).toEqual(await one.model.getBuffers());
  // The checkpoint holds the optimizer's moments and step and the run besides: everything, in one comparison.
  expect(grouped.checkpoint).toEqual(one.checkpoint);
  expect(grouped.result.finalLoss).toBe(one.result.finalLoss);
  await Promise.all([one.model.dispose(), grouped.model.dispose()]);
});

test('groups end at the steps that log: the same losses at the same steps, and checkpoints there match', async () => {
  const engine = await testEngine();
  const run = async (stepsPerSubmit: number) => {
    const data = tinyDigits(engine, 120, 1);
    const model = tinyResNet(engine, 1);
    model.compile({ optimizer: new Adam({ lr: 0.01 }) });
    const checkpoints: Uint8Array[] = [];
    const result = await model.fit(data, { ...RUN, logEvery: 5, stepsPerSubmit, onLog: async () => void checkpoints.push(await saveCheckpoint(model)) });
    return { model, result, checkpoints };
  };
  const one = await run(1);
  const grouped = await run(7);
  const steps = (r: FitResult) => r.logs.map(({ epoch, step, epochStep, loss }) => ({ epoch, step, epochStep, loss }));
  expect(steps(grouped.result).map((l) => l.step)).toEqual([5, 10, 15, 20, 24]);
  expect(steps(grouped.result)).toEqual(steps(one.result));
  expect(grouped.checkpoints).toEqual(one.checkpoints);
  // Cut at 5, 10, 12 (the epoch's end), 15, 20, 24 (the end); 7 steps never fit between two of them.
  expect(grouped.result.submissions).toBe(6);
  await Promise.all([one.model.dispose(), grouped.model.dispose()]);
});

test('a WebGPU validation error inside a group stops fit() with a KernelError naming the group\'s steps', async () => {
  const engine = await testEngine();
  const data = tinyDigits(engine, 120, 1);
  const model = tinyResNet(engine, 1);
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  // The plan fit() will use: its first forward stage records a dispatch WebGPU must refuse (more
  // workgroups than any adapter allows) in the fifth step, the middle of the second group of three.
  const stage = (await model.plan(10, true)).forwardStages()[0];
  const record = stage.record;
  let recorded = 0;
  stage.record = (pass) => {
    record(pass);
    if (++recorded === 5) pass.dispatchWorkgroups(engine.device.limits.maxComputeWorkgroupsPerDimension + 1);
  };
  const fit = model.fit(data, { ...RUN, stepsPerSubmit: 3 });
  const error = await fit.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(KernelError);
  expect(error).toMatchObject({ kernel: 'training steps 4–6', kind: 'validation' });
  // Reported once at most two more groups were submitted after it: at most 6 steps after the group's last.
  expect(model.step).toBeGreaterThanOrEqual(6);
  expect(model.step).toBeLessThanOrEqual(6 + 2 * 3);
  stage.record = record;
  await model.dispose();
});

test('a device lost between groups stops fit() with DeviceLostError', async () => {
  const engine = await createNodeEngine();
  try {
    const data = tinyDigits(engine, 120, 1);
    const model = tinyResNet(engine, 1);
    model.compile({ optimizer: new Adam({ lr: 0.01 }) });
    const fit = model.fit(data, { ...RUN, logEvery: 6, stepsPerSubmit: 4, onLog: ({ step }) => void (step === 6 && engine.device.destroy()) });
    await expect(fit).rejects.toThrow(DeviceLostError);
    expect(model.step).toBe(6); // groups of 4 cut at the log step: 4 + 2; nothing after the loss was seen
  } finally {
    engine.dispose();
  }
});

test('stepsPerSubmit must be a positive integer or auto', async () => {
  const engine = await testEngine();
  const data = tinyDigits(engine, 120, 1);
  const model = tinyResNet(engine, 1);
  model.compile({ optimizer: new Adam() });
  await expect(model.fit(data, { ...RUN, stepsPerSubmit: 0 })).rejects.toThrow("Sequential.fit: stepsPerSubmit is 0. stepsPerSubmit must be a positive integer or 'auto'.");
  await expect(model.fit(data, { ...RUN, stepsPerSubmit: 2.5 })).rejects.toThrow('stepsPerSubmit is 2.5');
  expect(model.step).toBe(0);
  const auto = await model.fit(data, { ...RUN, maxSteps: 3 });
  expect(auto.steps).toBe(3);
  expect(auto.submissions).toBeGreaterThanOrEqual(1);
  await model.dispose();
});
