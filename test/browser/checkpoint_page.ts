// Runs in Chromium: a checkpoint stored in IndexedDB survives a reload, and weights download as a file.
// test/checkpoint_browser.test.ts drives it.
import {
  Adam, CheckpointError, createEngine, downloadBytes, loadStoredCheckpoint, saveWeights, storeBytes, storeCheckpoint,
} from '../../src/index';
import { tinyCnn, tinyDigits } from '../support/training';

declare global {
  interface Window {
    trainAndStore(key: string): Promise<unknown>;
    loadStored(key: string): Promise<unknown>;
    storeGarbage(key: string): Promise<void>;
  }
}

const PROBE = Uint8Array.from({ length: 4 * 64 }, (_, i) => (i * 53) % 256);

window.trainAndStore = async (key) => {
  const engine = await createEngine();
  const model = tinyCnn(engine, 1);
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  const data = tinyDigits(engine, 40, 2);
  await model.fit(data, { batchSize: 10, epochs: 2, seed: 3, maxSteps: 5 });
  await storeCheckpoint(model, key);
  const weights = await saveWeights(model);
  downloadBytes(weights, 'tiny.safetensors');
  const out = { step: model.step, logits: Array.from((await model.predict(PROBE)).data), weights: Array.from(weights) };
  await model.dispose();
  engine.dispose();
  return out;
};

window.loadStored = async (key) => {
  const engine = await createEngine();
  const model = tinyCnn(engine, 2);
  model.compile({ optimizer: new Adam({ lr: 0.01 }) });
  try {
    const found = await loadStoredCheckpoint(model, key);
    return { found, step: model.step, logits: Array.from((await model.predict(PROBE)).data) };
  } catch (e) {
    return { error: (e as Error).message, reason: e instanceof CheckpointError ? e.reason : undefined };
  } finally {
    await model.dispose();
    engine.dispose();
  }
};

window.storeGarbage = (key) => storeBytes(key, new TextEncoder().encode('not a checkpoint'));
document.title = 'ready';
