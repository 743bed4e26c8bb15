// Runs in Chromium: the same engine code as in Node, on the browser's own WebGPU adapter. The test in
// test/browser.test.ts drives it and checks the results against the float64 reference.
import { Adam, Dataset, EngineError, createEngine, referenceCnn } from '../../src/index';

declare global {
  interface Window {
    oneStep(samples: number[], labels: number[]): Promise<unknown>;
    openEngine(): Promise<unknown>;
  }
}

window.openEngine = async () => {
  try {
    const engine = await createEngine();
    const adapter = engine.adapter;
    engine.dispose();
    return { ok: true, adapter };
  } catch (e) {
    return { ok: false, name: (e as Error).name, message: (e as Error).message, typed: e instanceof EngineError };
  }
};

window.oneStep = async (samples, labels) => {
  const engine = await createEngine();
  const model = referenceCnn(engine, { seed: 11 });
  const initial = await model.getParameters();
  const data = Dataset.upload(engine, { samples: Uint8Array.from(samples), labels, sampleShape: [1, 28, 28] });
  model.compile({ optimizer: new Adam() });
  const result = await model.fit(data, { batchSize: labels.length, shuffle: false });
  const grads = await model.getGradients();
  const out = {
    adapter: engine.adapter,
    loss: result.finalLoss,
    initial: Object.fromEntries([...initial].map(([k, t]) => [k, Array.from(t.data)])),
    grads: Object.fromEntries([...grads].map(([k, t]) => [k, Array.from(t.data)])),
  };
  await model.dispose();
  engine.dispose();
  return out;
};
document.title = 'ready';
