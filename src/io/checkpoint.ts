// A model's weights, and a training checkpoint, as safetensors files with PyTorch's names and layouts:
// a weights file is the state_dict (parameters, F32, and buffers: running statistics F32, counters I64) that torch's load_state_dict takes unchanged (and a PyTorch state_dict
// saved with safetensors loads here unchanged). A checkpoint adds the optimizer's per-parameter state as
// tensors ("optimizer.exp_avg.conv1.0.weight", …) and, in __metadata__, the optimizer's step and β^t,
// the model's step and the run's position, so training resumes exactly where it was saved.
// Both carry the model's description (model.info: network, classes, normalisation) in __metadata__ when it
// has one (io/model_metadata.ts).
// Loading validates the whole file against the model before it writes anything, then writes it all in
// one synchronous step: a bad file throws a CheckpointError and leaves the model as it was.
import { formatAugment, parseAugment } from '../data/augment';
import { ConfigError } from '../gpu/errors';
import type { Sequential } from '../model';
import type { BoundOptimizer, OptimizerScalar } from '../optim/optimizer';
import { checkMaxNorm } from '../optim/clip_grad_norm';
import { checkSchedule, PARAMETERS, SCHEDULES, type Schedule, type ScheduleName, type ScheduleParameters } from '../optim/schedule';
import type { TensorEntry } from '../tensor_layout';
import type { TrainingRun } from '../training_state';
import { CheckpointError } from './errors';
import { modelInfoForModel, modelMetadata } from './model_metadata';
import { decodeSafetensors, encodeSafetensors, readFloat32, readInt64, type SafetensorsFile, type WritableTensor } from './safetensors';

/** __metadata__["checkpoint"] of a training checkpoint: its layout and version (2: buffers, schedules). */
export const CHECKPOINT_FORMAT = 'webgpu-cnn/2';
const OPTIMIZER_PREFIX = 'optimizer.';
/** What safetensors.torch writes, so tools that look for it find a PyTorch file. */
const BASE_METADATA = { format: 'pt' };

export interface LoadOptions {
  /** Names the file in error messages. */
  source?: string;
}

/** The model's state_dict as a safetensors file: parameters (F32) and buffers (F32, I64), PyTorch's names. */
export async function saveWeights(model: Sequential): Promise<Uint8Array> {
  return encodeSafetensors(await model.stateDict(), { ...BASE_METADATA, ...modelMetadata(model.info, model.shapes[0]) });
}

/**
 * Loads a state_dict from a safetensors file: exactly the model's parameters and buffers, by PyTorch name,
 * each with its dtype (F32, finite; I64 for counters). A training checkpoint is accepted too (its optimizer
 * state is ignored).
 */
export async function loadWeights(model: Sequential, bytes: Uint8Array, options: LoadOptions = {}): Promise<void> {
  model.checkAlive();
  const file = decodeSafetensors(bytes, options.source);
  const isCheckpoint = file.metadata.checkpoint !== undefined;
  const info = describedFor(model, file);
  const state = readState(model, file, (name) => isCheckpoint && name.startsWith(OPTIMIZER_PREFIX));
  model.checkAlive();
  model.engine.write(model.params, 0, state.params);
  model.engine.write(model.buffers, 0, state.buffers);
  if (info) model.info = info;
}

/**
 * A training checkpoint: parameters, optimizer state, step counts and the run's position (see
 * FitOptions.resume). Needs a compiled model. Safe to call during fit() (from onLog, say): it captures the
 * state after the steps submitted so far, all in one GPU submission.
 */
export async function saveCheckpoint(model: Sequential): Promise<Uint8Array> {
  const optimizer = await compiledOptimizer(model, 'saveCheckpoint');
  const stateNames = Object.keys(optimizer.state);
  const reading = model.engine.readMany([model.params, model.buffers, optimizer.step, ...stateNames.map((n) => optimizer.state[n])]);
  // Read in the same tick as the copies were submitted, so they describe the same moment.
  const step = model.step;
  const run = model.run ? { ...model.run } : undefined;
  const info = model.info;
  const [params, buffers, scalars, ...states] = await reading;

  const tensors = new Map<string, WritableTensor>();
  const slices = (words: ArrayBuffer, entries: readonly TensorEntry[], prefix: string) => {
    for (const e of entries) {
      const data = e.spec.dtype === 'i64' ? new BigInt64Array(words, e.offset * 4, e.size) : new Float32Array(words, e.offset * 4, e.size);
      tensors.set(prefix + e.name, { shape: e.spec.shape, data });
    }
  };
  slices(params, model.layout.parameters, '');
  slices(buffers, model.layout.buffers, '');
  stateNames.forEach((name, i) => slices(states[i], model.layout.parameters, `${OPTIMIZER_PREFIX}${name}.`));

  const metadata: Record<string, string> = {
    ...BASE_METADATA, ...modelMetadata(info, model.shapes[0]), checkpoint: CHECKPOINT_FORMAT, step: String(step), optimizer: optimizer.optimizer.kind,
  };
  for (const [name, value] of Object.entries(optimizer.hyperparameters())) metadata[`${OPTIMIZER_PREFIX}${name}`] = String(value);
  const view = new DataView(scalars);
  optimizer.scalars.forEach(({ name, type }, i) => {
    metadata[`${OPTIMIZER_PREFIX}${name}`] = String(type === 'u32' ? view.getUint32(4 * i, true) : view.getFloat32(4 * i, true));
  });
  if (run) Object.assign(metadata, runMetadata(run, step));
  return encodeSafetensors(tensors, metadata);
}

/**
 * Restores a checkpoint into a compiled model (its optimizer must be the checkpoint's kind; the
 * hyperparameters are the ones given to compile()). Sets model.step and model.run, so
 * `fit(dataset, { resume: true, … })` with the same seed continues the saved run exactly.
 */
export async function loadCheckpoint(model: Sequential, bytes: Uint8Array, options: LoadOptions = {}): Promise<void> {
  const optimizer = await compiledOptimizer(model, 'loadCheckpoint');
  const file = decodeSafetensors(bytes, options.source);
  const meta = file.metadata;
  const fail = (reason: ConstructorParameters<typeof CheckpointError>[0], detail: string): never => {
    throw new CheckpointError(reason, detail, options.source);
  };
  if (meta.checkpoint === undefined) fail('not-a-checkpoint', 'the file holds no optimizer state or training position (a weights file: use loadWeights)');
  if (meta.checkpoint !== CHECKPOINT_FORMAT) fail('bad-metadata', `the checkpoint format is "${meta.checkpoint}"; this version reads "${CHECKPOINT_FORMAT}"`);
  if (meta.optimizer !== optimizer.optimizer.kind) {
    fail('optimizer-mismatch', `the checkpoint holds ${meta.optimizer ?? 'no'} optimizer state, the model was compiled with ${optimizer.optimizer.kind}`);
  }
  const info = describedFor(model, file);
  const stateNames = Object.keys(optimizer.state);
  const expectedState = new Set(stateNames.flatMap((s) => model.layout.parameters.map((e) => `${OPTIMIZER_PREFIX}${s}.${e.name}`)));
  const state = readState(model, file, (name) => expectedState.has(name));
  const states = stateNames.map((s) => readState(model, file, () => true, `${OPTIMIZER_PREFIX}${s}.`).params);
  const scalars = scalarBytes(optimizer.scalars, meta, fail);
  const step = integer(meta, 'step', Number.MAX_SAFE_INTEGER, fail);
  const run = readRun(meta, step, fail);

  // Everything checked: write it all without yielding, so nothing sees half a checkpoint.
  model.checkAlive();
  model.engine.write(model.params, 0, state.params);
  model.engine.write(model.buffers, 0, state.buffers);
  stateNames.forEach((s, i) => model.engine.write(optimizer.state[s], 0, states[i]));
  model.engine.write(optimizer.step, 0, scalars);
  model.state.restore(step, run);
  if (info) model.info = info;
}

/** The file's description of its model, checked against `model`; undefined when it has none (a PyTorch file). */
function describedFor(model: Sequential, file: SafetensorsFile) {
  return modelInfoForModel(file.metadata, { inputShape: model.shapes[0], classes: model.classes }, file.source);
}

async function compiledOptimizer(model: Sequential, where: string): Promise<BoundOptimizer> {
  const optimizer = await model.boundOptimizer();
  if (!optimizer) throw new ConfigError(where, 'the model has no optimizer', 'Call model.compile({ optimizer }) first (a checkpoint holds its state).');
  return optimizer;
}

/**
 * The model's state_dict (or, with `prefix`, one optimizer state per parameter) from `file`, laid out as the
 * model's parameter buffer and buffer of buffers. Every tensor must be there with its shape and dtype (F32
 * and finite, or I64 for integer buffers); a tensor that is none of these nor `ignored` is refused.
 */
function readState(model: Sequential, file: SafetensorsFile, ignored: (name: string) => boolean, prefix = ''): { params: Float32Array; buffers: Uint32Array } {
  const fail = (reason: ConstructorParameters<typeof CheckpointError>[0], detail: string, tensor: string): never => {
    throw new CheckpointError(reason, detail, file.source, tensor);
  };
  const entries = prefix ? model.layout.parameters : model.layout.entries;
  const names = entries.map((e) => prefix + e.name);
  for (const name of names) if (!file.tensors.has(name)) fail('missing-tensor', `the file has no tensor "${name}" (it has: ${[...file.tensors.keys()].join(', ') || 'none'})`, name);
  if (!prefix) {
    for (const name of file.tensors.keys()) {
      if (!names.includes(name) && !ignored(name)) fail('unexpected-tensor', `the file has a tensor "${name}" that the model does not (its tensors: ${names.join(', ')})`, name);
    }
  }
  for (const e of entries) {
    const entry = file.tensors.get(prefix + e.name)!;
    const dtype = e.spec.dtype === 'i64' ? 'I64' : 'F32';
    if (entry.dtype !== dtype) fail('unsupported-dtype', `tensor "${entry.name}" is ${entry.dtype}; the model's is ${dtype}${dtype === 'F32' ? ' (convert with tensor.float() before saving)' : ''}`, entry.name);
    if (entry.shape.join() !== e.spec.shape.join() || entry.shape.length !== e.spec.shape.length) {
      fail('shape-mismatch', `tensor "${entry.name}" has shape [${entry.shape.join(', ')}], the model's is [${e.spec.shape.join(', ')}]`, entry.name);
    }
  }
  const params = new Float32Array(model.params.size / 4);
  const buffers = new Uint32Array(model.buffers.size / 4);
  for (const e of entries) {
    const entry = file.tensors.get(prefix + e.name)!;
    if (e.spec.role === 'parameter') params.set(readFloat32(file, entry, { finite: true }), e.offset);
    else if (e.spec.dtype === 'i64') buffers.set(new Uint32Array(readInt64(file, entry).buffer), e.offset);
    else buffers.set(new Uint32Array(readFloat32(file, entry, { finite: true }).buffer), e.offset);
  }
  return { params, buffers };
}

type Fail = (reason: ConstructorParameters<typeof CheckpointError>[0], detail: string) => never;

function integer(meta: Record<string, string>, key: string, max: number, fail: Fail, min = 0): number {
  const text = meta[key];
  if (text === undefined) return fail('bad-metadata', `__metadata__ has no "${key}"`);
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    fail('bad-metadata', `__metadata__ "${key}" is "${text}"; expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** The optimizer's scalar state buffer, from the metadata, as its WGSL struct lays it out. */
function scalarBytes(scalars: readonly OptimizerScalar[], meta: Record<string, string>, fail: Fail): Uint8Array {
  const bytes = new Uint8Array(4 * scalars.length);
  const view = new DataView(bytes.buffer);
  scalars.forEach(({ name, type }, i) => {
    const key = `${OPTIMIZER_PREFIX}${name}`;
    if (type === 'u32') {
      view.setUint32(4 * i, integer(meta, key, 2 ** 32 - 1, fail), true);
      return;
    }
    const value = Number(meta[key]);
    if (meta[key] === undefined || meta[key].trim() === '' || !Number.isFinite(value) || !Number.isFinite(Math.fround(value))) {
      fail('bad-metadata', `__metadata__ "${key}" is ${meta[key] === undefined ? 'missing' : `"${meta[key]}"`}; expected a finite number`);
    }
    view.setFloat32(4 * i, value, true);
  });
  return bytes;
}

function runMetadata(run: TrainingRun, step: number): Record<string, string> {
  const runStep = step - run.startStep;
  const stepsPerEpoch = Math.floor(run.samples / run.batchSize);
  return {
    'run.seed': String(run.seed),
    'run.batch_size': String(run.batchSize),
    'run.samples': String(run.samples),
    'run.shuffle': String(run.shuffle),
    'run.start_step': String(run.startStep),
    'run.schedule': run.schedule.name,
    ...scheduleMetadata(run.schedule),
    'run.total_steps': String(run.totalSteps),
    ...(run.clipGradNorm === undefined ? {} : { 'run.clip_grad_norm': String(run.clipGradNorm) }),
    ...(run.augment === undefined ? {} : { 'run.augment': run.augment }),
    // For people: epochs finished, and steps into the next one.
    'run.epoch': String(Math.floor(runStep / stepsPerEpoch)),
    'run.epoch_step': String(runStep % stepsPerEpoch),
  };
}

function readRun(meta: Record<string, string>, step: number, fail: Fail): TrainingRun | undefined {
  const keys = Object.keys(runMetadata({ seed: 0, batchSize: 1, samples: 1, shuffle: true, startStep: 0, schedule: { name: 'constant' }, totalSteps: 1 }, 0));
  const present = keys.filter((k) => meta[k] !== undefined);
  if (present.length === 0) return undefined;
  if (present.length !== keys.length) fail('bad-metadata', `__metadata__ has ${present.join(', ')} but not ${keys.filter((k) => !present.includes(k)).join(', ')}`);
  if (meta['run.shuffle'] !== 'true' && meta['run.shuffle'] !== 'false') fail('bad-metadata', `__metadata__ "run.shuffle" is "${meta['run.shuffle']}"; expected true or false`);
  const run: TrainingRun = {
    seed: integer(meta, 'run.seed', 2 ** 32 - 1, fail),
    batchSize: integer(meta, 'run.batch_size', 2 ** 31, fail, 1),
    samples: integer(meta, 'run.samples', 2 ** 32 - 1, fail, 1),
    shuffle: meta['run.shuffle'] === 'true',
    startStep: integer(meta, 'run.start_step', step, fail),
    schedule: { name: 'constant' },
    totalSteps: integer(meta, 'run.total_steps', 2 ** 32 - 1, fail, 1),
  };
  run.schedule = readSchedule(meta, run.totalSteps, fail);
  if (meta['run.clip_grad_norm'] !== undefined) run.clipGradNorm = readMaxNorm(meta['run.clip_grad_norm'], fail);
  if (meta['run.augment'] !== undefined) run.augment = readAugment(meta['run.augment'], fail);
  if (run.batchSize > run.samples) fail('bad-metadata', `__metadata__ "run.batch_size" ${run.batchSize} is more than "run.samples" ${run.samples}`);
  const position = runMetadata(run, step);
  for (const key of ['run.epoch', 'run.epoch_step']) {
    if (meta[key] !== position[key]) fail('bad-metadata', `__metadata__ "${key}" is "${meta[key]}", but the step, batch size and samples give ${position[key]}`);
  }
  return run;
}

/** The run's augmentation, in fit's command-line form (parseAugment), as formatAugment wrote it. */
function readAugment(text: string, fail: Fail): string {
  try {
    const options = parseAugment(text);
    // The ranges are checked against the images when the run resumes; here only their form.
    const written = formatAugment({ crop: 0, flip: false, rotate: 0, scale: 0, translate: 0, ...options });
    if (written === text) return text;
  } catch {
    // Reported below, as every bad value is.
  }
  return fail('bad-metadata', `__metadata__ "run.augment" is "${text}"; expected augmentation options as fit's augment writes them, e.g. crop=4,flip,rotate=10`);
}

/** A schedule's parameters as "run.schedule.<PyTorch's name>" keys ("run.schedule.step_size"). */
function scheduleMetadata(schedule: Schedule): Record<string, string> {
  return Object.fromEntries(Object.entries(PARAMETERS[schedule.name]).map(([key, torchName]) => [`run.schedule.${torchName}`, String(schedule[key as keyof ScheduleParameters])]));
}

/** The run's schedule, checked as fit() checks it: exactly its own parameters, each valid for the run's length. */
function readSchedule(meta: Record<string, string>, totalSteps: number, fail: Fail): Schedule {
  const name = meta['run.schedule'] as ScheduleName;
  if (!SCHEDULES.includes(name)) fail('bad-metadata', `__metadata__ "run.schedule" is "${name}"; expected one of ${SCHEDULES.join(', ')}`);
  const expected = Object.entries(PARAMETERS[name]).map(([key, torchName]) => [key, `run.schedule.${torchName}`]);
  for (const key of Object.keys(meta)) {
    if (key.startsWith('run.schedule.') && !expected.some(([, metaKey]) => metaKey === key)) fail('bad-metadata', `__metadata__ has "${key}", which schedule ${name} does not take`);
  }
  const parameters: Record<string, number> = {};
  for (const [key, metaKey] of expected) {
    const text = meta[metaKey];
    if (text === undefined || text.trim() === '' || !Number.isFinite(Number(text))) fail('bad-metadata', `__metadata__ "${metaKey}" is ${text === undefined ? 'missing' : `"${text}"`}; schedule ${name} needs a finite number`);
    parameters[key] = Number(text);
  }
  try {
    return checkSchedule('checkpoint', name, parameters, totalSteps);
  } catch (e) {
    if (e instanceof ConfigError) return fail('bad-metadata', `__metadata__ "run.schedule": ${e.message}`);
    throw e;
  }
}

function readMaxNorm(text: string, fail: Fail): number {
  try {
    return checkMaxNorm('checkpoint', text.trim() === '' ? NaN : Number(text));
  } catch (e) {
    if (e instanceof ConfigError) return fail('bad-metadata', `__metadata__ "run.clip_grad_norm" is "${text}"; expected a positive finite number`);
    throw e;
  }
}
