// Checkpoints: weights round trip into a fresh model with identical predictions; a run interrupted
// mid-epoch and resumed from its checkpoint (Adam, AdamW with parameter groups and SGD; a network with BatchNorm, a residual block and
// Dropout under a cosine schedule) gives the uninterrupted run's loss curve, final weights and buffers,
// bit for bit; checkpoint-specific bad files are refused with the model untouched; files
// in Node are written atomically.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  Adam, AdamW, CheckpointError, ConfigError, SGD, decodeSafetensors, encodeSafetensors, loadCheckpoint, loadWeights, readFloat32, readInt64,
  saveCheckpoint, saveWeights, type CheckpointErrorReason, type Engine, type FitOptions, type Optimizer, type Sequential, type TrainingLog,
} from '../src/index';
import { loadCheckpointFile, saveCheckpointFile, writeFileAtomic } from '../src/node';
import { testEngine } from './support/gpu';
import { tinyCnn, tinyDigits, tinyResNet } from './support/training';

const directory = await mkdtemp(join(tmpdir(), 'webgpu-cnn-checkpoint-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

const losses = (logs: TrainingLog[]) => logs.map(({ epoch, step, epochStep, loss }) => ({ epoch, step, epochStep, loss }));

test('weights saved and loaded into a fresh model give identical predictions', async () => {
  const engine = await testEngine();
  const data = tinyDigits(engine, 60, 1);
  const trained = tinyCnn(engine, 1);
  trained.compile({ optimizer: new Adam({ lr: 0.01 }) });
  await trained.fit(data, { batchSize: 10, epochs: 2 });
  const bytes = await saveWeights(trained);
  const fresh = tinyCnn(engine, 2);
  const probe = new Uint8Array(20 * 64).map((_, i) => (i * 37) % 256);
  expect((await fresh.predict(probe)).data).not.toEqual((await trained.predict(probe)).data);
  await loadWeights(fresh, bytes);
  expect((await fresh.predict(probe)).data).toEqual((await trained.predict(probe)).data);
  expect(await fresh.getParameters()).toEqual(await trained.getParameters());
  // A checkpoint is also a weights file.
  const other = tinyCnn(engine, 3);
  trained.compile({ optimizer: new Adam() });
  await loadWeights(other, await saveCheckpoint(trained));
  expect(await other.getParameters()).toEqual(await trained.getParameters());
  await Promise.all([trained.dispose(), fresh.dispose(), other.dispose()]);
  data.dispose();
});

describe.each<[string, () => Optimizer, (engine: Engine, seed: number) => Sequential, FitOptions]>([
  ['Adam', () => new Adam({ lr: 0.005, weightDecay: 1e-3 }), tinyCnn, { schedule: 'constant' }],
  ['SGD with Nesterov momentum, a step schedule and gradient clipping', () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true }), tinyCnn, { schedule: 'step', stepSize: 5, gamma: 0.5, clipGradNorm: 0.5 }],
  ['Adam, a cosine schedule, BatchNorm, a residual block and Dropout', () => new Adam({ lr: 0.01 }), tinyResNet, { schedule: 'cosine' }],
  [
    'AdamW with no decay for biases and BatchNorm weights and warm-up + cosine, on a residual network',
    () => new AdamW({ lr: 0.01, weightDecay: 0.05, groups: [{ params: (p) => p.name.endsWith('.bias') || p.layer.kind.startsWith('BatchNorm'), weightDecay: 0 }] }),
    tinyResNet, { schedule: 'warmup-cosine', warmupSteps: 5, warmupStartFactor: 0.2 },
  ],
])('resuming mid-epoch with %s', (_, optimizer, tinyCnn, schedule) => {
  // 12 steps an epoch; interrupted at step 9 of epoch 1, resumed through epoch 2.
  const options: FitOptions = { epochs: 2, batchSize: 10, seed: 21, logEvery: 3, ...schedule };
  const INTERRUPT = 9;

  test('gives the uninterrupted run\'s loss curve and weights, bit for bit', async () => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 125, 2); // 125 samples: the last 5 of each shuffle are left out, as in PyTorch's drop_last
    const whole = tinyCnn(engine, 4);
    whole.compile({ optimizer: optimizer() });
    const uninterrupted = await whole.fit(data, options);
    expect(uninterrupted.steps).toBe(24);

    const first = tinyCnn(engine, 4);
    first.compile({ optimizer: optimizer() });
    const before = await first.fit(data, { ...options, maxSteps: INTERRUPT });
    const checkpoint = await saveCheckpoint(first);
    await first.dispose();

    const meta = decodeSafetensors(checkpoint).metadata;
    expect(meta).toMatchObject({ format: 'pt', checkpoint: 'webgpu-cnn/2', step: '9', 'optimizer.step': '9', 'run.seed': '21', 'run.epoch': '0', 'run.epoch_step': '9' });

    const resumed = tinyCnn(engine, 99); // other initial weights: all of them must come from the checkpoint
    resumed.compile({ optimizer: optimizer() });
    await loadCheckpoint(resumed, checkpoint);
    expect(resumed.step).toBe(INTERRUPT);
    const after = await resumed.fit(data, { ...options, resume: true });
    expect(after.steps).toBe(24 - INTERRUPT);
    expect(losses([...before.logs, ...after.logs])).toEqual(losses(uninterrupted.logs));
    expect(after.logs[0]).toMatchObject({ epoch: 1, step: 12, epochStep: 12 });
    expect(await resumed.getParameters()).toEqual(await whole.getParameters());
    expect(await resumed.getBuffers()).toEqual(await whole.getBuffers());

    // The run is over: resuming again trains nothing.
    expect((await resumed.fit(data, { ...options, resume: true })).steps).toBe(0);
    await Promise.all([whole.dispose(), resumed.dispose()]);
    data.dispose();
  });
});

test('resuming with another seed or batch size is refused before any step', async () => {
  const engine = await testEngine();
  const data = tinyDigits(engine, 40, 3);
  const model = tinyCnn(engine, 5);
  model.compile({ optimizer: new Adam() });
  await model.fit(data, { batchSize: 10, seed: 1, maxSteps: 2 });
  await expect(model.fit(data, { batchSize: 10, seed: 2, resume: true })).rejects.toThrow(ConfigError);
  await expect(model.fit(data, { batchSize: 8, seed: 1, resume: true })).rejects.toThrow('the run being resumed used seed 1, batch size 10, 40 samples, shuffle true, schedule constant over 4 steps; this call has seed 1, batch size 8, 40 samples, shuffle true, schedule constant over 5 steps');
  await expect(model.fit(data, { batchSize: 10, seed: 1, resume: true, schedule: 'cosine' })).rejects.toThrow('schedule constant over 4 steps; this call has seed 1, batch size 10, 40 samples, shuffle true, schedule cosine over 4 steps');
  expect(model.step).toBe(2);
  await model.dispose();
  data.dispose();
});

test('resuming with other schedule parameters or gradient clipping is refused, also from a checkpoint', async () => {
  const engine = await testEngine();
  const data = tinyDigits(engine, 40, 3);
  const model = tinyCnn(engine, 5);
  model.compile({ optimizer: new AdamW() });
  const run: FitOptions = { batchSize: 10, seed: 1, epochs: 3, schedule: 'step', stepSize: 4, gamma: 0.5 };
  await model.fit(data, { ...run, maxSteps: 2 });
  const resumed = tinyCnn(engine, 6);
  resumed.compile({ optimizer: new AdamW() });
  await loadCheckpoint(resumed, await saveCheckpoint(model));
  for (const m of [model, resumed]) {
    await expect(m.fit(data, { ...run, gamma: 0.25, resume: true })).rejects.toThrow('schedule step (stepSize 4, gamma 0.5) over 12 steps; this call has seed 1, batch size 10, 40 samples, shuffle true, schedule step (stepSize 4, gamma 0.25) over 12 steps');
    await expect(m.fit(data, { ...run, clipGradNorm: 1, resume: true })).rejects.toThrow('gamma 0.5) over 12 steps; this call has seed 1, batch size 10, 40 samples, shuffle true, schedule step (stepSize 4, gamma 0.5) over 12 steps, gradients clipped to norm 1');
    await expect(m.fit(data, { ...run, schedule: 'warmup-cosine', stepSize: undefined, gamma: undefined, warmupSteps: 4, resume: true })).rejects.toThrow(ConfigError);
    expect(m.step).toBe(2);
  }
  expect((await resumed.fit(data, { ...run, resume: true })).steps).toBe(10);
  await Promise.all([model.dispose(), resumed.dispose()]);
  data.dispose();
});

describe('bad checkpoints leave the model as it was', () => {
  const edit = (bytes: Uint8Array, change: (tensors: Map<string, { shape: readonly number[]; data: Float32Array }>, meta: Record<string, string>) => void) => {
    const file = decodeSafetensors(bytes);
    const tensors = new Map([...file.tensors].map(([name, entry]) => [name, { shape: entry.shape, data: readFloat32(file, entry) }]));
    const meta = { ...file.metadata };
    change(tensors, meta);
    return encodeSafetensors(tensors, meta);
  };

  const cases: Array<[string, CheckpointErrorReason, (checkpoint: Uint8Array, weights: Uint8Array, sgd: Uint8Array) => Uint8Array]> = [
    ['a weights file', 'not-a-checkpoint', (_, weights) => weights],
    ['another optimizer\'s state', 'optimizer-mismatch', (_, __, sgd) => sgd],
    ['an unknown checkpoint version', 'bad-metadata', (c) => edit(c, (_, m) => void (m.checkpoint = 'webgpu-cnn/1'))],
    ['no step', 'bad-metadata', (c) => edit(c, (_, m) => void delete m.step)],
    ['a step that is not an integer', 'bad-metadata', (c) => edit(c, (_, m) => void (m.step = '3.5'))],
    ['an optimizer step beyond u32', 'bad-metadata', (c) => edit(c, (_, m) => void (m['optimizer.step'] = '4294967296'))],
    ['a β power that is not a number', 'bad-metadata', (c) => edit(c, (_, m) => void (m['optimizer.beta2_power'] = 'NaN'))],
    ['half of the run\'s position', 'bad-metadata', (c) => edit(c, (_, m) => void delete m['run.seed'])],
    ['an unknown schedule', 'bad-metadata', (c) => edit(c, (_, m) => void (m['run.schedule'] = 'linear'))],
    ['a step schedule without its parameters', 'bad-metadata', (c) => edit(c, (_, m) => void (m['run.schedule'] = 'step'))],
    ['a parameter of another schedule', 'bad-metadata', (c) => edit(c, (_, m) => void (m['run.schedule.gamma'] = '0.5'))],
    ['a warm-up as long as the run', 'bad-metadata', (c) => edit(c, (_, m) => void Object.assign(m, { 'run.schedule': 'warmup-cosine', 'run.schedule.warmup_steps': m['run.total_steps'], 'run.schedule.start_factor': '0.5' }))],
    ['a clipping norm of 0', 'bad-metadata', (c) => edit(c, (_, m) => void (m['run.clip_grad_norm'] = '0'))],
    ['a run of no steps', 'bad-metadata', (c) => edit(c, (_, m) => void (m['run.total_steps'] = '0'))],
    ['a position that contradicts the step', 'bad-metadata', (c) => edit(c, (_, m) => void (m['run.epoch_step'] = '1'))],
    ['a missing moment', 'missing-tensor', (c) => edit(c, (t) => void t.delete('optimizer.exp_avg_sq.fc.bias'))],
    ['an unknown optimizer tensor', 'unexpected-tensor', (c) => edit(c, (t) => void t.set('optimizer.max_exp_avg_sq.fc.bias', { shape: [10], data: new Float32Array(10) }))],
    ['a moment of the wrong shape', 'shape-mismatch', (c) => edit(c, (t) => void t.set('optimizer.exp_avg.fc.bias', { shape: [2, 5], data: new Float32Array(10) }))],
    ['a moment that is NaN', 'not-finite', (c) => edit(c, (t) => void (t.get('optimizer.exp_avg_sq.conv.weight')!.data[7] = NaN))],
  ];

  test.each(cases)('%s: %s', async (_, reason, make) => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 40, 4);
    const source = tinyCnn(engine, 6);
    source.compile({ optimizer: new Adam() });
    await source.fit(data, { batchSize: 10, maxSteps: 3 });
    const checkpoint = await saveCheckpoint(source);
    source.compile({ optimizer: new SGD({ lr: 0.1, momentum: 0.5 }) });
    const sgd = await saveCheckpoint(source);

    const target = tinyCnn(engine, 7);
    target.compile({ optimizer: new Adam() });
    await target.fit(data, { batchSize: 10, maxSteps: 1 });
    const optimizer = (await target.boundOptimizer())!;
    const state = () => engine.readMany([target.params, target.buffers, optimizer.step, ...Object.values(optimizer.state)]);
    const before = await state();
    const error = await loadCheckpoint(target, make(checkpoint, await saveWeights(source), sgd)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).reason, (error as Error).message).toBe(reason);
    expect(await state()).toEqual(before);
    expect(target.step).toBe(1);
    await Promise.all([source.dispose(), target.dispose()]);
    data.dispose();
  });

  test('a model without an optimizer cannot take or give a checkpoint', async () => {
    const model = tinyCnn(await testEngine(), 8);
    await expect(saveCheckpoint(model)).rejects.toThrow('Call model.compile({ optimizer }) first');
    await expect(loadCheckpoint(model, new Uint8Array())).rejects.toThrow(ConfigError);
    await model.dispose();
  });
});

describe('weights with buffers (BatchNorm\'s running statistics and I64 counter)', () => {
  type Tensors = Map<string, { shape: readonly number[]; data: Float32Array | BigInt64Array }>;
  const edit = (bytes: Uint8Array, change: (tensors: Tensors) => void) => {
    const file = decodeSafetensors(bytes);
    const tensors: Tensors = new Map([...file.tensors].map(([name, e]) => [name, { shape: e.shape, data: e.dtype === 'I64' ? readInt64(file, e) : readFloat32(file, e) }]));
    change(tensors);
    return encodeSafetensors(tensors, file.metadata);
  };
  const cases: Array<[string, CheckpointErrorReason, (tensors: Tensors) => void]> = [
    ['a counter saved as F32', 'unsupported-dtype', (t) => void t.set('bn.num_batches_tracked', { shape: [], data: new Float32Array([3]) })],
    ['a running mean saved as I64', 'unsupported-dtype', (t) => void t.set('bn.running_mean', { shape: [4], data: new BigInt64Array(4) })],
    ['a counter of the wrong shape', 'shape-mismatch', (t) => void t.set('block.1.num_batches_tracked', { shape: [1], data: new BigInt64Array(1) })],
    ['a missing counter', 'missing-tensor', (t) => void t.delete('bn.num_batches_tracked')],
    ['a running variance that is NaN', 'not-finite', (t) => void ((t.get('block.1.running_var')!.data as Float32Array)[2] = NaN)],
  ];

  test('round trip exactly, counters beyond 2^53 included', async () => {
    const engine = await testEngine();
    const model = tinyResNet(engine, 1);
    const huge = 2n ** 62n + 12345n;
    model.setParameters({ 'bn.num_batches_tracked': { shape: [], data: new BigInt64Array([huge]) } });
    const bytes = await saveWeights(model);
    const file = decodeSafetensors(bytes);
    // safetensors.torch's order: the I64 tensors (alignment 8) first, then F32, each group by name.
    expect([...file.tensors.keys()].slice(0, 2)).toEqual(['block.1.num_batches_tracked', 'bn.num_batches_tracked']);
    const copy = tinyResNet(engine, 2);
    await loadWeights(copy, bytes);
    expect((await copy.getBuffers()).get('bn.num_batches_tracked')!.data).toEqual(new BigInt64Array([huge]));
    expect(await copy.stateDict()).toEqual(await model.stateDict());
    await Promise.all([model.dispose(), copy.dispose()]);
  });

  test.each(cases)('%s is refused (%s), and every parameter and buffer stays as it was', async (_, reason, change) => {
    const engine = await testEngine();
    const source = tinyResNet(engine, 3);
    const target = tinyResNet(engine, 4);
    const before = await target.stateDict();
    const error = await loadWeights(target, edit(await saveWeights(source), change)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).reason, (error as Error).message).toBe(reason);
    expect(await target.stateDict()).toEqual(before);
    await Promise.all([source.dispose(), target.dispose()]);
  });
});

describe('modes', () => {
  test('fit trains in training mode and leaves the mode it found; evaluate and predict use evaluation mode', async () => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 40, 6);
    const model = tinyResNet(engine, 5);
    model.compile({ optimizer: new Adam() });
    expect(model.training).toBe(true);
    const probe = new Uint8Array(4 * 64).map((_, i) => (i * 53) % 256);
    const trainMode = await model.predict(probe);
    expect(model.eval()).toBe(model);
    // Evaluation mode, whatever the model's mode: Dropout passes values through, BatchNorm uses its running estimates.
    expect((await model.predict(probe)).data).toEqual(trainMode.data);
    const counted = (await model.getBuffers()).get('bn.num_batches_tracked')!.data;
    await model.fit(data, { batchSize: 10, maxSteps: 3 });
    expect(model.training).toBe(false);
    expect((await model.getBuffers()).get('bn.num_batches_tracked')!.data).toEqual(new BigInt64Array([(counted as BigInt64Array)[0] + 3n]));
    model.train();
    await model.fit(data, { batchSize: 10, maxSteps: 1 });
    expect(model.training).toBe(true);
    const before = await model.stateDict();
    await model.evaluate(data);
    await model.predict(probe);
    expect(await model.stateDict()).toEqual(before); // no running statistic moved
    await model.dispose();
    data.dispose();
  });
});

describe('checkpoint files in Node', () => {
  test('saved atomically, loaded back; a failed save leaves the old file and no temporary', async () => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 40, 5);
    const model = tinyCnn(engine, 9);
    model.compile({ optimizer: new Adam() });
    await model.fit(data, { batchSize: 10, maxSteps: 2 });
    const path = join(directory, 'run.safetensors');
    await writeFile(path, 'an older checkpoint');
    await saveCheckpointFile(model, path);
    expect(await readdir(directory)).toEqual(['run.safetensors']);
    expect(new Uint8Array(await readFile(path))).toEqual(await saveCheckpoint(model));

    const copy = tinyCnn(engine, 10);
    copy.compile({ optimizer: new Adam() });
    await loadCheckpointFile(copy, path);
    expect(copy.step).toBe(2);
    expect(await copy.getParameters()).toEqual(await model.getParameters());

    // A save that fails (here: the model is gone) never touches the file.
    const saved = await readFile(path);
    await model.dispose();
    await expect(saveCheckpointFile(model, path)).rejects.toThrow('this model was disposed');
    await expect(writeFileAtomic(join(directory, 'no such directory', 'x.safetensors'), new Uint8Array(8))).rejects.toThrow(/ENOENT/);
    expect(await readFile(path)).toEqual(saved);
    expect(await readdir(directory)).toEqual(['run.safetensors']);

    await writeFile(path, new Uint8Array(3));
    await expect(loadCheckpointFile(copy, path)).rejects.toThrow(`${path}: the file has 3 bytes`);
    await copy.dispose();
    data.dispose();
  });
});
