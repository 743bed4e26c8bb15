// Issue 12's modules together against PyTorch (fixture made by test/fixtures/make_mixed_fixture.py, PyTorch
// 1.13): one network with Conv2d padding 'same', a depthwise-separable block (groups), a dilated Conv2d,
// AvgPool2d with padding and countIncludePad false, GELU (exact and tanh), SiLU, BatchNorm1d, trained three
// steps from PyTorch's initial weights with AdamW and parameter groups, a warm-up + cosine schedule and
// gradient clipping (step 2 clips, steps 1 and 3 do not), gives PyTorch's three losses, step 1's
// gradients, and the parameters and running statistics after step 3.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  AdamW, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dataset, Dropout, Flatten, GELU, Linear, SiLU, Sequential,
  decodeSafetensors, readFloat32, readInt64, type BufferTensor,
} from '../src/index';
import { loadMnistFromPackage } from '../src/data/mnist_node';
import type { Mnist } from '../src/data/mnist';
import type { Engine } from '../src/gpu/engine';
import { expectClose } from './support/compare';
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

/** The script's nn.Sequential, layer for layer, named by index as PyTorch's state_dict names them. */
function mixed(engine: Engine): Sequential {
  return new Sequential(engine, [
    new Conv2d({ name: '0', inChannels: 1, outChannels: 8, kernelSize: 3, padding: 'same', bias: false }),
    new BatchNorm2d({ name: '1', numFeatures: 8 }),
    new SiLU({ name: '2' }),
    new Conv2d({ name: '3', inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, groups: 8, bias: false }),
    new Conv2d({ name: '4', inChannels: 8, outChannels: 16, kernelSize: 1 }),
    new GELU({ name: '5' }),
    new AvgPool2d({ name: '6', kernelSize: 2 }),
    new Conv2d({ name: '7', inChannels: 16, outChannels: 8, kernelSize: 3, dilation: 2, padding: 2 }),
    new GELU({ name: '8', approximate: 'tanh' }),
    new AvgPool2d({ name: '9', kernelSize: 2, padding: 1, countIncludePad: false }),
    new Flatten({ name: '10' }),
    new Linear({ name: '11', inFeatures: 512, outFeatures: 32, bias: false }),
    new BatchNorm1d({ name: '12', numFeatures: 32 }),
    new SiLU({ name: '13' }),
    new Dropout({ name: '14', p: 0 }),
    new Linear({ name: '15', inFeatures: 32, outFeatures: 10 }),
  ], { inputShape: [1, 28, 28] });
}

describe('three training steps of the mixed network from PyTorch\'s initial weights', () => {
  test('give PyTorch\'s losses, step 1\'s gradients, and the parameters and buffers after step 3', async () => {
    const engine = await testEngine();
    const file = new Uint8Array(await readFile(fixture('mixed_steps.safetensors')));
    const meta = decodeSafetensors(file).metadata!;
    const model = mixed(engine);
    const initial = tensors(file, 'initial.');
    expect([...(await model.stateDict()).keys()].sort()).toEqual([...initial.keys()].sort());
    model.setParameters(initial);
    const noDecay = (p: { name: string; layer: { kind: string } }) => p.name.endsWith('.bias') || p.layer.kind.startsWith('BatchNorm');
    model.compile({ optimizer: new AdamW({ lr: 1e-3, weightDecay: 0.05, groups: [{ params: noDecay, weightDecay: 0 }] }) });

    // The first 120 training images in order, batch 20: a run of 6 steps (the schedule's length), of which the first 3 are taken.
    const train = Dataset.upload(engine, { samples: mnist.train.images.subarray(0, 120 * 784), labels: mnist.train.labels.subarray(0, 120), sampleShape: [1, 28, 28] });
    const grads: Map<string, BufferTensor>[] = [];
    const result = await model.fit(train, {
      batchSize: 20, shuffle: false, maxSteps: 3, logEvery: 1,
      schedule: 'warmup-cosine', warmupSteps: 2, warmupStartFactor: 0.25, clipGradNorm: Number(meta.max_norm),
      onLog: async () => { if (grads.length === 0) grads.push(await model.getGradients()); },
    });
    expect(result.steps).toBe(3);
    const losses = result.logs.map((log) => log.loss);
    const expectedLosses = [1, 2, 3].map((k) => Number(meta[`loss.${k}`]));
    console.log(`losses ${losses.join(', ')}; PyTorch ${expectedLosses.join(', ')}; largest difference ${Math.max(...losses.map((l, i) => Math.abs(l - expectedLosses[i]))).toExponential(2)}`);
    expect(losses).toHaveLength(3);
    for (let k = 0; k < 3; k++) expect(Math.abs(losses[k] - expectedLosses[k]), `loss ${k + 1}`).toBeLessThan(1e-5);

    // Step 1's gradients (before clipping: step 1's total norm is below max_norm, so clipping leaves them as they are).
    const expectedGrads = tensors(file, 'grad.1.');
    expect([...grads[0].keys()].sort()).toEqual([...expectedGrads.keys()].sort());
    // Loosened from F32's 1e-5 in norm: 7.bias's gradient sums 3,920 terms that largely cancel, and PyTorch's own
    // f32 gradient is 1.65e-5 (in norm) from its float64 one (4.bias 8.4e-6, the rest ≤ 3.1e-6).
    const gradTolerance = { normRelative: 5e-5, absolute: 1e-6, relative: 1e-3 };
    for (const [name, grad] of expectedGrads) expectClose(`step 1 ${name} gradient`, grads[0].get(name)!.data as Float32Array, grad.data as Float32Array, gradTolerance);

    const updated = tensors(file, 'updated.3.');
    for (const [name, value] of await model.getParameters()) expectClose(`updated ${name}`, value.data, updated.get(name)!.data as Float32Array);
    for (const [name, value] of await model.getBuffers()) {
      if (value.data instanceof BigInt64Array) expect(value.data, name).toEqual(updated.get(name)!.data);
      else expectClose(`updated ${name}`, value.data, updated.get(name)!.data as Float32Array);
    }
    train.dispose();
    await model.dispose();
  });
});
