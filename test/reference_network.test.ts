// The whole reference network of the design: one training step on the GPU (loss, every gradient, every
// parameter after an Adam step) equals the float64 reference step.
import { expect, test } from 'vitest';
import { Dataset } from '../src/data/dataset';
import { Adam } from '../src/optim/adam';
import { referenceCnn } from '../src/reference_cnn';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { testEngine } from './support/gpu';
import { cnnLossAndGradients, type CnnParams } from './reference/reference_cnn';
import * as ops from './reference/ops';

test.each([1, 3])('one Adam step of the reference CNN, batch %i', async (batch) => {
  const engine = await testEngine();
  const random = new Random(42 + batch);
  const samples = Uint8Array.from({ length: batch * 784 }, () => random.below(256));
  const labels = Uint32Array.from({ length: batch }, () => random.below(10));
  const dataset = Dataset.upload(engine, { samples, labels, sampleShape: [1, 28, 28], name: `one step ${batch}` });
  const model = referenceCnn(engine, { seed: batch });
  try {
    const initial = await model.getParameters();
    model.compile({ optimizer: new Adam({ lr: 1e-3 }) });
    const result = await model.fit(dataset, { batchSize: batch, epochs: 1, shuffle: false });
    expect(result.steps).toBe(1);

    const params = Object.fromEntries([...initial].map(([name, t]) => [name, f64(t.data)])) as unknown as CnnParams;
    const ref = cnnLossAndGradients(batch, f64(samples).map((v) => v / 255), labels, params);
    expectClose('loss', [result.finalLoss], [ref.loss]);
    const gradients = await model.getGradients();
    const updated = await model.getParameters();
    for (const [name, refGrad] of Object.entries(ref.grads) as Array<[keyof CnnParams, Float64Array]>) {
      expectClose(`${name} gradient`, gradients.get(name)!.data, refGrad);
      const p = Float64Array.from(params[name]);
      ops.adamStep({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, 1, p, refGrad, new Float64Array(p.length), new Float64Array(p.length));
      expectClose(`${name} after the step`, updated.get(name)!.data, p);
    }
  } finally {
    await model.dispose();
    dataset.dispose();
  }
});
