// What a model says about itself (model.info: network, classes, normalisation) travels in the file's
// __metadata__ under the documented webgpu_cnn.* keys: saved with weights and checkpoints, restored on
// load, absent from (and not needed by) PyTorch's own files, and checked as untrusted input: hostile
// metadata is refused with a typed error and changes nothing, neither the weights nor the description.
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import {
  Adam, CheckpointError, ConfigError, MODEL_METADATA_KEYS, Sequential, decodeSafetensors, encodeSafetensors, loadCheckpoint, loadWeights, readFloat32,
  readModelInfo, referenceCnn, saveCheckpoint, saveWeights, smallResNet, Flatten, Linear, ReLU, type CheckpointErrorReason, type ClassScore, type ModelInfo,
} from '../src/index';
import { testEngine } from './support/gpu';
import { tinyCnn, tinyDigits } from './support/training';

const FIXTURE = new URL('./fixtures/reference_cnn.safetensors', import.meta.url);
const CLASSES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const INFO: ModelInfo = { network: 'tiny', classes: CLASSES, normalize: { mean: [0.1307], std: [0.3081] } };

/** `bytes` with its __metadata__ changed by `change` (tensors as they were; tinyCnn's are all F32). */
function withMetadata(bytes: Uint8Array, change: (meta: Record<string, string>) => void): Uint8Array {
  const file = decodeSafetensors(bytes);
  const tensors = new Map([...file.tensors].map(([name, e]) => [name, { shape: e.shape, data: readFloat32(file, e) }]));
  const meta = { ...file.metadata };
  change(meta);
  return encodeSafetensors(tensors, meta);
}

describe('saved and restored', () => {
  test('weights carry the description under the documented keys, and a fresh model gets it back', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 1);
    model.info = INFO;
    const bytes = await saveWeights(model);
    expect({ ...decodeSafetensors(bytes).metadata }).toEqual({
      format: 'pt',
      'webgpu_cnn.network': 'tiny',
      'webgpu_cnn.input_shape': '[1,8,8]',
      'webgpu_cnn.classes': JSON.stringify(CLASSES),
      'webgpu_cnn.normalize': '{"mean":[0.1307],"std":[0.3081]}',
    });
    expect(readModelInfo(bytes)).toEqual({ ...INFO, inputShape: [1, 8, 8] });

    const fresh = tinyCnn(engine, 2);
    expect(fresh.info).toEqual({});
    await loadWeights(fresh, bytes);
    expect(fresh.info).toEqual(INFO);
    expect(await fresh.getParameters()).toEqual(await model.getParameters());
    // Saved again, the same bytes.
    expect(await saveWeights(fresh)).toEqual(bytes);
    await Promise.all([model.dispose(), fresh.dispose()]);
  });

  test('a checkpoint carries it too, beside the run', async () => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 40, 1);
    const model = tinyCnn(engine, 3);
    model.info = { network: 'tiny', classes: CLASSES };
    model.compile({ optimizer: new Adam() });
    await model.fit(data, { batchSize: 10, maxSteps: 2 });
    const checkpoint = await saveCheckpoint(model);
    expect(decodeSafetensors(checkpoint).metadata).toMatchObject({ checkpoint: 'webgpu-cnn/2', step: '2', 'webgpu_cnn.network': 'tiny', 'webgpu_cnn.classes': JSON.stringify(CLASSES) });
    const resumed = tinyCnn(engine, 4);
    resumed.compile({ optimizer: new Adam() });
    await loadCheckpoint(resumed, checkpoint);
    expect(resumed.info).toEqual({ network: 'tiny', classes: CLASSES });
    expect(resumed.step).toBe(2);
    await Promise.all([model.dispose(), resumed.dispose()]);
    data.dispose();
  });

  test('a PyTorch file (no description) loads, keeps the model\'s description, and a model without one saves PyTorch\'s bytes', async () => {
    const engine = await testEngine();
    const bytes = new Uint8Array(await readFile(FIXTURE));
    expect(readModelInfo(bytes)).toBeUndefined();
    const described = referenceCnn(engine, { seed: 1 });
    described.info = { network: 'reference', classes: CLASSES };
    await loadWeights(described, bytes);
    expect(described.info).toEqual({ network: 'reference', classes: CLASSES });
    const plain = referenceCnn(engine, { seed: 2 });
    await loadWeights(plain, bytes);
    expect(plain.info).toEqual({});
    expect(await saveWeights(plain)).toEqual(bytes);
    await Promise.all([described.dispose(), plain.dispose()]);
  });
});

test('the README\'s example runs: a model used again from its file classifies pictures with its class names', async () => {
  const engine = await testEngine();
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const code = readme.split('A model used again classifies pictures as it was trained:')[1].split('```js\n')[1].split('```')[0];
  const pixels = Uint8Array.from({ length: 3 * 32 * 32 }, (_, i) => (i * 31) % 256);
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction('engine', 'smallResNet', 'saveWeights', 'readModelInfo', 'loadWeights', 'pixels', `${code}\nreturn { model, again, top };`);
  const { model, again, top } = await run(engine, smallResNet, saveWeights, readModelInfo, loadWeights, pixels) as { model: Sequential; again: Sequential; top: ClassScore[] };
  expect(again.info).toEqual(model.info);
  expect(top).toHaveLength(2);
  expect(top.map((s) => s.className)).toEqual(top.map((s) => ['circle', 'square', 'star'][s.index]));
  expect(top[0].probability).toBeGreaterThanOrEqual(top[1].probability);
  expect(await again.classify(pixels, { top: 2 })).toEqual(await model.classify(pixels, { top: 2 }));
  await Promise.all([model.dispose(), again.dispose()]);
});

describe('set by the program', () => {
  test('checked against the model, copied and frozen; given at construction too', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 5);
    const classes = [...CLASSES];
    model.info = { classes };
    classes[0] = 'changed';
    expect(model.info.classes![0]).toBe('zero');
    expect(Object.isFrozen(model.info) && Object.isFrozen(model.info.classes)).toBe(true);
    const refused: Array<[unknown, RegExp]> = [
      [{ classes: CLASSES.slice(1) }, /9 class names for a model with 10 outputs\. Give exactly 10 names/],
      [{ classes: [...CLASSES.slice(1), 'one'] }, /classes 0 and 9 are both named "one"/],
      [{ classes: [...CLASSES.slice(1), ''] }, /class 9 is a string of 0 characters/],
      [{ normalize: { mean: [0, 0, 0], std: [1, 1, 1] } }, /normalize has 3 values for an input of 1 channels \(shape \[1, 8, 8\]\)/],
      [{ normalize: { mean: [Number.NaN], std: [1] } }, /normalize\.mean\[0\] is NaN/],
      [{ normalize: { mean: [0], std: [0] } }, /normalize\.std\[0\] is 0\. Each std must be a finite number > 0/],
      [{ normalize: { mean: [0] } }, /normalize has the fields \{mean\}/],
      [{ network: 42 }, /network is number 42/],
      [{ name: 'typo' }, /the description has "name"\. Its fields are network, classes, normalize/],
      [null, /the description is null/],
    ];
    for (const [info, message] of refused) {
      expect(() => (model.info = info as ModelInfo), JSON.stringify(info)).toThrow(ConfigError);
      expect(() => (model.info = info as ModelInfo)).toThrow(message);
      expect(model.info).toEqual({ classes: CLASSES });
    }
    const built = new Sequential(engine, [new Flatten(), new Linear({ inFeatures: 4, outFeatures: 2 })], { inputShape: [1, 2, 2], info: { classes: ['a', 'b'] } });
    expect(built.info).toEqual({ classes: ['a', 'b'] });
    expect(() => new Sequential(engine, [new ReLU()], { inputShape: [1, 2, 2], info: { classes: ['a', 'b', 'c', 'd'] } })).toThrow(/its output is not a vector of class scores/);
    await Promise.all([model.dispose(), built.dispose()]);
  });
});

describe('hostile metadata: a typed error, and neither the weights nor the description change', () => {
  const key = MODEL_METADATA_KEYS;
  const cases: Array<[string, CheckpointErrorReason, (meta: Record<string, string>) => void]> = [
    ['classes that are not JSON', 'bad-metadata', (m) => void (m[key.classes] = '["a", "b"')],
    ['classes that are a JSON object', 'bad-metadata', (m) => void (m[key.classes] = '{"0": "zero"}')],
    ['a class name that is a number', 'bad-metadata', (m) => void (m[key.classes] = JSON.stringify([...CLASSES.slice(1), 9]))],
    ['two classes of one name', 'bad-metadata', (m) => void (m[key.classes] = JSON.stringify([...CLASSES.slice(1), 'one']))],
    ['a class name of 10,000 characters', 'bad-metadata', (m) => void (m[key.classes] = JSON.stringify([...CLASSES.slice(1), 'x'.repeat(10_000)]))],
    ['9 classes for 10 outputs', 'metadata-mismatch', (m) => void (m[key.classes] = JSON.stringify(CLASSES.slice(1)))],
    ['11 classes for 10 outputs', 'metadata-mismatch', (m) => void (m[key.classes] = JSON.stringify([...CLASSES, 'ten']))],
    ['a normalisation given twice', 'bad-metadata', (m) => void (m[key.normalize] = '{"mean":[0],"mean":[1],"std":[1]}')],
    ['an infinite mean (1e999)', 'bad-metadata', (m) => void (m[key.normalize] = '{"mean":[1e999],"std":[1]}')],
    ['a NaN std (not JSON)', 'bad-metadata', (m) => void (m[key.normalize] = '{"mean":[0],"std":[NaN]}')],
    ['a std of 0', 'bad-metadata', (m) => void (m[key.normalize] = '{"mean":[0],"std":[0]}')],
    ['a negative std', 'bad-metadata', (m) => void (m[key.normalize] = '{"mean":[0],"std":[-1]}')],
    ['a mean that is a string', 'bad-metadata', (m) => void (m[key.normalize] = '{"mean":["0"],"std":[1]}')],
    ['a normalisation with "__proto__"', 'bad-metadata', (m) => void (m[key.normalize] = '{"__proto__":[1],"mean":[0],"std":[1]}')],
    ['a normalisation for 3 channels of a 1-channel model', 'metadata-mismatch', (m) => void (m[key.normalize] = '{"mean":[0,0,0],"std":[1,1,1]}')],
    ['another input shape', 'metadata-mismatch', (m) => void (m[key.inputShape] = '[3,8,8]')],
    ['an input shape that is not a list of sizes', 'bad-metadata', (m) => void (m[key.inputShape] = '[1,8,-8]')],
    ['an absurd input shape', 'bad-metadata', (m) => void (m[key.inputShape] = '[100000,100000,100000]')],
    ['an empty network name', 'bad-metadata', (m) => void (m[key.network] = '')],
    ['an unknown key of the namespace', 'bad-metadata', (m) => void (m['webgpu_cnn.augment'] = 'flip')],
  ];

  test.each(cases)('%s: %s', async (_, reason, change) => {
    const engine = await testEngine();
    const source = tinyCnn(engine, 6);
    source.info = INFO;
    const target = tinyCnn(engine, 7);
    target.info = { network: 'before', classes: [...CLASSES].reverse() };
    const before = await target.getParameters();
    const started = performance.now();
    const error = await loadWeights(target, withMetadata(await saveWeights(source), change), { source: 'hostile.safetensors' }).then(() => undefined, (e: unknown) => e);
    const seconds = (performance.now() - started) / 1000;
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).reason, (error as Error).message).toBe(reason);
    expect((error as Error).message).toMatch(/^hostile\.safetensors: __metadata__: /);
    expect(seconds).toBeLessThan(0.5);
    expect(await target.getParameters()).toEqual(before);
    expect(target.info).toEqual({ network: 'before', classes: [...CLASSES].reverse() });
    await Promise.all([source.dispose(), target.dispose()]);
  });

  test('in a checkpoint too: nothing of the model, its optimizer or its step changes', async () => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 40, 2);
    const source = tinyCnn(engine, 8);
    source.info = INFO;
    source.compile({ optimizer: new Adam() });
    await source.fit(data, { batchSize: 10, maxSteps: 3 });
    const bad = withMetadata(await saveCheckpoint(source), (m) => void (m[key.classes] = JSON.stringify(CLASSES.slice(2))));
    const target = tinyCnn(engine, 9);
    target.compile({ optimizer: new Adam() });
    await target.fit(data, { batchSize: 10, maxSteps: 1 });
    const optimizer = (await target.boundOptimizer())!;
    const state = () => engine.readMany([target.params, target.buffers, optimizer.step, ...Object.values(optimizer.state)]);
    const before = await state();
    const error = await loadCheckpoint(target, bad).then(() => undefined, (e: unknown) => e);
    expect((error as CheckpointError).reason).toBe('metadata-mismatch');
    expect((error as Error).message).toMatch(/8 class names for a model with 10 outputs/);
    expect(await state()).toEqual(before);
    expect(target.step).toBe(1);
    expect(target.info).toEqual({});
    await Promise.all([source.dispose(), target.dispose()]);
    data.dispose();
  });

  test('readModelInfo refuses malformed values without a model, and leaves the count of classes to the model', () => {
    const bytes = (meta: Record<string, string>) => encodeSafetensors(new Map(), meta);
    expect(readModelInfo(bytes({ [key.classes]: '["a","b"]', [key.network]: 'mine' }))).toEqual({ network: 'mine', classes: ['a', 'b'] });
    expect(() => readModelInfo(bytes({ [key.classes]: '[1]' }), { source: 'f' })).toThrow(/^f: __metadata__: class 0 is number 1\. Give a string of 1 to 256 characters\. \(bad-metadata\)$/);
    expect(() => readModelInfo(bytes({ [key.inputShape]: '[]' }))).toThrow(CheckpointError);
  });
});
