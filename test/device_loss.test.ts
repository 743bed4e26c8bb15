// A lost GPU device: training stops with DeviceLostError instead of carrying on with stale results, a
// failed readback is an error and never a page of zeros, and the run continues on a new engine from its
// last checkpoint to the same loss curve as a run that never lost its device.
import { afterAll, expect, test } from 'vitest';
import { Adam, DeviceLostError, KernelError, loadCheckpoint, saveCheckpoint, type Engine, type FitOptions, type TrainingLog, type TuningStore } from '../src/index';
import { createNodeEngine } from '../src/gpu/node_host';
import { tinyCnn, tinyDigits } from './support/training';

const engines: Engine[] = [];
// One tuning store for both engines, as the command line keeps one on disk: the new engine runs the kernels
// the first one chose, so the resumed run can be compared bit for bit (another variant would sum in
// another order, and differ in the last bits).
const choices: Record<string, string> = {};
const tuningStore: TuningStore = { load: () => choices, save: (saved) => Object.assign(choices, saved) };
async function newEngine(): Promise<Engine> {
  const engine = await createNodeEngine({ tuningStore });
  engines.push(engine);
  return engine;
}
afterAll(() => engines.forEach((e) => e.dispose()));

const losses = (logs: TrainingLog[]) => logs.map(({ step, loss }) => ({ step, loss }));
// 12 steps an epoch, 2 epochs; a checkpoint every 4 steps; the device is lost at step 10.
const OPTIONS: FitOptions = { epochs: 2, batchSize: 10, seed: 5, logEvery: 2 };
const CHECKPOINT_EVERY = 4;
const LOST_AT = 10;

test('a device destroyed mid-training stops fit() with DeviceLostError; a new engine resumes from the last checkpoint', async () => {
  const engine = await newEngine();
  const data = tinyDigits(engine, 120, 1);
  const model = tinyCnn(engine, 1);
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  let checkpoint: Uint8Array | undefined;
  const seen: TrainingLog[] = [];
  const fit = model.fit(data, {
    ...OPTIONS,
    onLog: async (log) => {
      seen.push(log);
      if (log.step % CHECKPOINT_EVERY === 0) checkpoint = await saveCheckpoint(model);
      if (log.step === LOST_AT) engine.device.destroy();
    },
  });
  await expect(fit).rejects.toThrow(DeviceLostError);
  await expect(fit).rejects.toThrow('the GPU device was lost (destroyed)');
  expect(seen.at(-1)!.step).toBe(LOST_AT);
  expect(model.step).toBe(LOST_AT); // nothing was submitted after the loss was seen
  // Every later use says so too, rather than returning zeros.
  await expect(model.getParameters()).rejects.toThrow(DeviceLostError);
  await expect(engine.read(model.params)).rejects.toThrow(DeviceLostError);
  expect(() => model.compile({ optimizer: new Adam() })).toThrow(DeviceLostError);

  // A new engine, a new model, the last checkpoint (step 8): the run finishes.
  const fresh = await newEngine();
  const freshData = tinyDigits(fresh, 120, 1);
  const resumed = tinyCnn(fresh, 2);
  resumed.compile({ optimizer: new Adam({ lr: 0.01 }) });
  await loadCheckpoint(resumed, checkpoint!);
  expect(resumed.step).toBe(8);
  const rest = await resumed.fit(freshData, { ...OPTIONS, resume: true });
  expect(rest.steps).toBe(24 - 8);

  // The same curve as a run that was never interrupted.
  const whole = tinyCnn(fresh, 1);
  whole.compile({ optimizer: new Adam({ lr: 0.01 }) });
  const uninterrupted = await whole.fit(freshData, OPTIONS);
  expect(losses([...seen.filter((l) => l.step <= 8), ...rest.logs])).toEqual(losses(uninterrupted.logs));
  expect(await resumed.getParameters()).toEqual(await whole.getParameters());
});

test('a readback whose map fails is an error, never zeros', async () => {
  const engine = await newEngine();
  const buffer = engine.upload('ones', new Float32Array(4).fill(1));
  expect(new Float32Array(await engine.read(buffer))).toEqual(new Float32Array(4).fill(1));
  const createBuffer = engine.device.createBuffer.bind(engine.device);
  engine.device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const staging = createBuffer(descriptor);
    if (descriptor.usage & GPUBufferUsage.MAP_READ) staging.mapAsync = () => Promise.reject(new DOMException('mapping failed', 'OperationError'));
    return staging;
  };
  const error = await engine.read(buffer).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(KernelError);
  expect((error as Error).message).toBe('ones readback: WebGPU internal error: mapping failed');
});
