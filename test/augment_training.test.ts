// Training with augmentation and normalisation, end to end: a run repeats bit for bit from its seed and
// differs for another seed (and from the run without augmentation); a run interrupted mid-epoch and
// resumed from its checkpoint continues bit for bit; evaluate never augments, and with normalisation it
// sees exactly the tensors normalizeSample gives predict.
import { expect, test } from 'vitest';
import {
  Adam, ConfigError, Dataset, decodeSafetensors, loadCheckpoint, saveCheckpoint,
  type AugmentOptions, type Engine, type FitOptions, type Sequential,
} from '../src/index';
import { normalizeSample } from '../src/data/normalize';
import { testEngine } from './support/gpu';
import { tinyCnn, tinyDigitBytes, tinyResNet } from './support/training';

const AUGMENT: AugmentOptions = { crop: 2, flip: true, rotate: 15, scale: 0.1, translate: 0.1 };
const NORMALIZE = { mean: [0.3], std: [0.4] };

async function trained(engine: Engine, data: Dataset, make: (engine: Engine, seed: number) => Sequential, options: FitOptions): Promise<Sequential> {
  const model = make(engine, 4);
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  await model.fit(data, { batchSize: 10, epochs: 1, ...options });
  return model;
}

/** A safetensors file with some metadata replaced: the header (8-byte length, JSON) rewritten, the tensors' bytes kept. */
function withMetadata(bytes: Uint8Array, metadata: Record<string, string>): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  Object.assign(header.__metadata__, metadata);
  const json = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' '));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

const parameters = async (model: Sequential) => [...(await model.getParameters())].map(([name, t]) => [name, Array.from(t.data)]);

test('a run with augmentation repeats bit for bit from its seed; another seed, or no augmentation, trains otherwise', async () => {
  const engine = await testEngine();
  const { samples, labels } = tinyDigitBytes(60, 1);
  const data = Dataset.upload(engine, { samples, labels, sampleShape: [1, 8, 8], normalize: NORMALIZE });
  const runs = await Promise.all([
    trained(engine, data, tinyCnn, { seed: 5, augment: AUGMENT }),
    trained(engine, data, tinyCnn, { seed: 5, augment: AUGMENT }),
    trained(engine, data, tinyCnn, { seed: 6, augment: AUGMENT }),
    trained(engine, data, tinyCnn, { seed: 5 }),
    trained(engine, data, tinyCnn, { seed: 5, augment: { crop: 2, flip: true } }),
  ]);
  const [first, again, otherSeed, plain, cropFlip] = await Promise.all(runs.map(parameters));
  expect(again).toEqual(first);
  expect(otherSeed).not.toEqual(first);
  expect(plain).not.toEqual(first);
  expect(cropFlip).not.toEqual(first);
  expect(cropFlip).not.toEqual(plain);
  await Promise.all(runs.map((m) => m.dispose()));
  data.dispose();
});

test('evaluate never augments, and normalises as normalizeSample does for predict', async () => {
  const engine = await testEngine();
  const { samples, labels } = tinyDigitBytes(40, 2);
  const data = Dataset.upload(engine, { samples, labels, sampleShape: [1, 8, 8], normalize: NORMALIZE });
  expect(data.normalize).toEqual(NORMALIZE);
  const model = await trained(engine, data, tinyCnn, { seed: 1, augment: AUGMENT });
  const evaluation = await model.evaluate(data, { predictions: true, batchSize: 7 });
  const logits = await model.predict(normalizeSample(samples, [1, 8, 8], 1 / 255, NORMALIZE));
  const argmax = Array.from({ length: 40 }, (_, n) => {
    const row = Array.from(logits.data.subarray(n * 10, (n + 1) * 10));
    return row.indexOf(Math.max(...row));
  });
  expect(Array.from(evaluation.predictions!)).toEqual(argmax);
  // No draws in evaluation: a second evaluation gives the same predictions.
  expect((await model.evaluate(data, { predictions: true, batchSize: 7 })).predictions).toEqual(evaluation.predictions);
  await model.dispose();
  data.dispose();
});

test('a run with augmentation, interrupted mid-epoch and resumed from its checkpoint, continues bit for bit', async () => {
  const engine = await testEngine();
  const { samples, labels } = tinyDigitBytes(125, 3);
  const data = Dataset.upload(engine, { samples, labels, sampleShape: [1, 8, 8], normalize: NORMALIZE });
  // 12 steps an epoch; interrupted at step 9 of epoch 1, resumed through epoch 2. The network has Dropout, whose draws share the clock.
  const options: FitOptions = { epochs: 2, seed: 21, logEvery: 3, schedule: 'cosine', augment: AUGMENT };
  const whole = await trained(engine, data, tinyResNet, options);
  const first = await trained(engine, data, tinyResNet, { ...options, maxSteps: 9 });
  const checkpoint = await saveCheckpoint(first);
  const file = decodeSafetensors(checkpoint);
  expect(file.metadata['run.augment']).toBe('crop=2,flip,rotate=15,scale=0.1,translate=0.1');
  const resumed = tinyResNet(engine, 99);
  resumed.compile({ optimizer: new Adam({ lr: 0.01 }) });
  await expect(loadCheckpoint(resumed, withMetadata(checkpoint, { 'run.augment': 'crop=2,spin' }))).rejects.toThrow(/"run\.augment" is "crop=2,spin"/);
  expect(resumed.step).toBe(0);
  await loadCheckpoint(resumed, checkpoint);
  await expect(resumed.fit(data, { batchSize: 10, ...options, augment: { crop: 2 }, resume: true })).rejects.toThrow(ConfigError);
  await expect(resumed.fit(data, { batchSize: 10, ...options, augment: undefined, resume: true })).rejects.toThrow(/the run being resumed used .*augmentation crop=2,flip,rotate=15,scale=0.1,translate=0.1; this call has/);
  const after = await resumed.fit(data, { batchSize: 10, ...options, resume: true });
  expect(after.steps).toBe(15);
  expect(await parameters(resumed)).toEqual(await parameters(whole));
  expect(await parameters(first)).not.toEqual(await parameters(whole));
  await Promise.all([whole.dispose(), first.dispose(), resumed.dispose()]);
  data.dispose();
});
