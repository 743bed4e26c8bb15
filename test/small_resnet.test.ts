// The small ResNet against PyTorch (fixtures made by test/fixtures/make_small_resnet_fixture.py, PyTorch 1.13):
// a PyTorch-trained state_dict (F32 tensors and I64 num_batches_tracked) loads unchanged, gives PyTorch's
// evaluation-mode logits, and saves back to the same bytes; one training step
// from PyTorch's initial weights (Dropout p = 0, Adam, a cosine schedule) gives PyTorch's loss, every gradient,
// the updated parameters and the updated running statistics.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  AdaptiveAvgPool2d, Adam, BatchNorm2d, Conv2d, Dataset, Dropout, Flatten, Linear, MaxPool2d, ReLU, Residual, Sequential, decodeSafetensors,
  learningRates, loadWeights, readFloat32, readInt64, saveWeights, smallResNet, type BufferTensor,
} from '../src/index';
import { loadMnistFromPackage } from '../src/data/mnist_node';
import type { Mnist } from '../src/data/mnist';
import { expectClose, F32 } from './support/compare';
import { testEngine } from './support/gpu';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
let mnist: Mnist;
beforeAll(async () => {
  mnist = await loadMnistFromPackage();
});

/** Every tensor of a fixture file under `prefix` ("initial.", …), as a state_dict. */
function tensors(bytes: Uint8Array, prefix: string): Map<string, BufferTensor> {
  const file = decodeSafetensors(bytes);
  const out = new Map<string, BufferTensor>();
  for (const [name, entry] of file.tensors) {
    if (!name.startsWith(prefix)) continue;
    out.set(name.slice(prefix.length), { shape: entry.shape, data: entry.dtype === 'I64' ? readInt64(file, entry) : readFloat32(file, entry) });
  }
  return out;
}

describe('a PyTorch-trained small ResNet', () => {
  test('loads unchanged, gives PyTorch\'s logits, and saves back to the same bytes', async () => {
    const engine = await testEngine();
    const bytes = new Uint8Array(await readFile(fixture('small_resnet.safetensors')));
    const expected = JSON.parse(await readFile(fixture('small_resnet_logits.json'), 'utf8'));
    const model = smallResNet(engine, { seed: 99 });
    await loadWeights(model, bytes);
    expect((await model.getBuffers()).get('features.1.num_batches_tracked')!.data).toEqual(new BigInt64Array([200n]));
    const logits = await model.predict(mnist.test.images.subarray(0, 4 * 784));
    expectClose('logits', logits.data, expected.logits.flat(), { ...F32, normRelative: 1e-5 });

    // All 10,000 test predictions are compared by test/eval_cli.test.ts, through `npm run eval -- --model small-resnet`.
    expect(Buffer.from(await saveWeights(model)).equals(Buffer.from(bytes))).toBe(true);
    await model.dispose();
  });
});

describe('the README\'s port of the PyTorch module', () => {
  test('builds the same network as smallResNet: names, shapes and initial values', async () => {
    const engine = await testEngine();
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const code = readme.split('as `smallResNet` builds it:')[1].split('```js\n')[1].split('```')[0];
    const layers = { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Residual, Sequential };
    const build = new Function('engine', ...Object.keys(layers), `${code}\nreturn model;`);
    const ported = build(engine, ...Object.values(layers)) as Sequential;
    const built = smallResNet(engine);
    expect(ported.layout.entries.map((e) => [e.name, e.spec.shape])).toEqual(built.layout.entries.map((e) => [e.name, e.spec.shape]));
    expect(await ported.stateDict()).toEqual(await built.stateDict());
    await Promise.all([ported.dispose(), built.dispose()]);
  });
});

describe('one training step from PyTorch\'s initial weights', () => {
  test('gives PyTorch\'s loss, gradients, parameters and running statistics', async () => {
    const engine = await testEngine();
    const file = new Uint8Array(await readFile(fixture('small_resnet_step.safetensors')));
    const meta = decodeSafetensors(file).metadata;
    const model = smallResNet(engine, { dropout: 0 });
    model.setParameters(tensors(file, 'initial.'));
    model.compile({ optimizer: new Adam({ lr: 1e-3 }) });
    // The first 200 training images in order, batch 50: a run of 4 steps (the fixture's T_max), of which the first is taken.
    const train = Dataset.upload(engine, { samples: mnist.train.images.subarray(0, 200 * 784), labels: mnist.train.labels.subarray(0, 200), sampleShape: [1, 28, 28] });
    const result = await model.fit(train, { batchSize: 50, shuffle: false, maxSteps: 1, schedule: 'cosine', logEvery: 1 });
    expect(Math.abs(result.finalLoss - Number(meta.loss))).toBeLessThan(1e-5);

    const grads = await model.getGradients();
    const expectedGrads = tensors(file, 'grad.');
    expect([...grads.keys()].sort()).toEqual([...expectedGrads.keys()].sort());
    // The fixture's seed keeps every ReLU input and pooling runner-up at least 1.5e-6 from its decision, so f32
    // rounding flips no mask and the gradients agree to f32 precision (PyTorch's own f32 gradients are within
    // 9.3e-6 of float64 here; BatchNorm's input gradient subtracts nearly equal terms).
    const tolerance = { normRelative: 2e-5, absolute: 1e-6, relative: 1e-3 };
    for (const [name, grad] of expectedGrads) expectClose(`${name} gradient`, grads.get(name)!.data, grad.data as Float32Array, tolerance);

    const updated = tensors(file, 'updated.');
    const params = await model.getParameters();
    for (const [name, value] of params) {
      // Adam's first step moves each parameter by about lr·sign(g): where |g| is at f32 noise level the sign is not defined.
      const g = expectedGrads.get(name)!.data as Float32Array;
      expectClose(`updated ${name}`, value.data, updated.get(name)!.data as Float32Array, F32, (i) => Math.abs(g[i]) < 1e-6);
    }
    const buffers = await model.getBuffers();
    for (const [name, value] of buffers) {
      if (value.data instanceof BigInt64Array) expect(value.data, name).toEqual(updated.get(name)!.data);
      else expectClose(`updated ${name}`, value.data, updated.get(name)!.data as Float32Array);
    }
    train.dispose();
    await model.dispose();
  });

  test('the cosine schedule\'s rates are PyTorch\'s CosineAnnealingLR', async () => {
    const expected = JSON.parse(await readFile(fixture('cosine_lr.json'), 'utf8'));
    expect(expected.schedules.map((s: { T_max: number }) => s.T_max)).toEqual([1, 4, 7, 1200]);
    for (const { T_max: steps, lr } of expected.schedules as Array<{ T_max: number; lr: number[] }>) {
      // The rates are f32 on the GPU: within f32 rounding of PyTorch's float64 values.
      expectClose(`T_max ${steps}`, learningRates('cosine', 1e-3, steps), lr, { normRelative: 1e-7, absolute: 1e-12, relative: 1e-7 });
    }
  });
});
