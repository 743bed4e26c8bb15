// Trains the reference CNN (the PyTorch MNIST tutorial network) for a few steps on made-up 28×28
// "digits" — a bright bar whose row is the label — and reads the results back. The page and the
// worker both run it: the engine is the same in either.
import { Adam, Dataset, NoAdapterError, createEngine, referenceCnn, type TrainingLog } from 'webgpu-cnn';

export interface Outcome {
  adapter: string;
  losses: number[];
  accuracy: number;
  logits: number[];
  parameters: number;
}

export type Reply = { ok: true; outcome: Outcome } | { ok: false; name: string; message: string };

function bars(count: number): { samples: Uint8Array; labels: Uint8Array } {
  const samples = new Uint8Array(count * 784);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  labels.forEach((label, i) => samples.fill(255, i * 784 + (label * 2 + 4) * 28 + 4, i * 784 + (label * 2 + 4) * 28 + 24));
  return { samples, labels };
}

export async function train(steps: number): Promise<Outcome> {
  const engine = await createEngine();
  try {
    const model = referenceCnn(engine, { seed: 1 });
    const data = bars(40);
    const dataset = Dataset.upload(engine, { ...data, sampleShape: [1, 28, 28] });
    model.compile({ optimizer: new Adam({ lr: 1e-3 }) });
    const losses: number[] = [];
    const onLog = ({ loss }: TrainingLog) => {
      losses.push(loss);
    };
    await model.fit(dataset, { batchSize: 10, maxSteps: steps, logEvery: 1, onLog });
    const { accuracy } = await model.evaluate(dataset);
    const logits = await model.predict(data.samples.subarray(0, 784));
    const parameters = [...(await model.getParameters()).values()].reduce((n, t) => n + t.data.length, 0);
    await model.dispose();
    return { adapter: engine.adapter.label, losses, accuracy, logits: [...logits.data], parameters };
  } finally {
    engine.dispose();
  }
}

/** The outcome, or the error by name: a browser without WebGPU gets a NoAdapterError saying what to enable. */
export async function attempt(steps: number): Promise<Reply> {
  try {
    return { ok: true, outcome: await train(steps) };
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    return { ok: false, name: e.name, message: e.message };
  }
}
