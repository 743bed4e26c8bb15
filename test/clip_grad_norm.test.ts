// clip_grad_norm.wgsl against torch.nn.utils.clip_grad_norm_ in float64: the total norm sqrt(Σ g²) and the
// gradients times min(1, max_norm / (total_norm + 1e-6)), when clipping triggers and when it does not, over a
// real parameter layout (gaps between tensors) and over buffers of 1, 63, 1000 and 300001 elements (the last
// has more workgroup sums than one workgroup adds in one pass); then inside a training step, between the
// backward pass and the optimizer. Tolerances: the project's f32 "all close" for gradients, 1e-6 relative
// for the norm (f32 sums of squares in a fixed tree order).
import { describe, expect, test } from 'vitest';
import { SGD, type Sequential } from '../src/index';
import { BufferGroup } from '../src/gpu/buffer_group';
import { ConfigError } from '../src/gpu/errors';
import { GradientClipping } from '../src/optim/clip_grad_norm';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, testEngine } from './support/gpu';
import { onParameters } from './support/parameter_layout';
import { tinyCnn, tinyDigits } from './support/training';

const norm = (g: ArrayLike<number>) => Math.sqrt(Array.from(g).reduce((sum, x) => sum + x * x, 0));
const clipCoefficient = (maxNorm: number, total: number) => Math.min(1, maxNorm / (total + 1e-6));

async function clipOnGpu(grads: Float32Array, maxNorm: number): Promise<{ grads: Float32Array; totalNorm: number; scale: number }> {
  const engine = await testEngine();
  const memory = new BufferGroup(engine);
  try {
    const buffer = memory.floats('grads', grads.length);
    engine.write(buffer, 0, grads);
    const clipping = await GradientClipping.create(memory, buffer, grads.length);
    clipping.setMaxNorm(maxNorm);
    const encoder = engine.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const stage of clipping.stages()) stage.record(pass);
    pass.end();
    engine.device.queue.submit([encoder.finish()]);
    const [clipped, clip] = await engine.readMany([buffer, clipping.clip]);
    const [totalNorm, scale] = new Float32Array(clip);
    return { grads: new Float32Array(clipped, 0, grads.length), totalNorm, scale };
  } finally {
    memory.dispose();
  }
}

const buffers: Array<[string, (random: Random) => Float32Array]> = [
  ['a parameter layout with gaps', (random) => onParameters(random)],
  ...[1, 63, 1000, 300001].map((n) => [`${n} elements`, (random: Random) => randomArray(random, n)] as [string, (random: Random) => Float32Array]),
];

describe.each(buffers)('%s', (_, make) => {
  test.each([
    ['clips', 0.3],
    ['leaves the gradients alone', 2],
  ])('%s when max_norm is %f × the norm', async (__, fraction) => {
    const grads = make(new Random(11));
    const total = norm(grads);
    const maxNorm = fraction * total;
    const gpu = await clipOnGpu(grads, maxNorm);
    expect(Math.abs(gpu.totalNorm - total) / total, `total norm ${gpu.totalNorm}, reference ${total}`).toBeLessThanOrEqual(1e-6);
    const coefficient = clipCoefficient(maxNorm, total);
    if (coefficient === 1) expect(gpu.grads).toEqual(grads);
    else expectClose('clipped gradients', gpu.grads, f64(grads).map((g) => g * coefficient));
  });
});

test('max_norm must be positive and finite', async () => {
  for (const value of [0, -1, Infinity, NaN]) {
    await expect((async () => clipOnGpu(new Float32Array(4), value))()).rejects.toThrow(ConfigError);
  }
});

describe('in a training step', () => {
  const LR = 0.1;
  const run = async (clipGradNorm: number | undefined) => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 20, 5);
    const model = tinyCnn(engine, 8);
    model.compile({ optimizer: new SGD({ lr: LR }) });
    const before = await model.getParameters();
    await model.fit(data, { batchSize: 10, maxSteps: 1, seed: 3, clipGradNorm });
    const result = { before, grads: await model.getGradients(), after: await model.getParameters() };
    await model.dispose();
    data.dispose();
    return result;
  };
  const flat = (tensors: Awaited<ReturnType<Sequential['getParameters']>>) => Float64Array.from([...tensors.values()].flatMap((t) => Array.from(t.data as Float32Array)));

  test('clips the step\'s gradients before SGD uses them, and leaves them alone under the limit', async () => {
    const unclipped = await run(undefined);
    const total = norm(flat(unclipped.grads));
    for (const fraction of [0.25, 1.5]) {
      const maxNorm = fraction * total;
      const coefficient = clipCoefficient(maxNorm, total);
      const clipped = await run(maxNorm);
      expectClose(`gradients, max_norm ${fraction} × the norm`, flat(clipped.grads), flat(unclipped.grads).map((g) => g * coefficient));
      const before = flat(clipped.before);
      const grads = flat(unclipped.grads);
      expectClose(`parameters after SGD, max_norm ${fraction} × the norm`, flat(clipped.after), before.map((p, i) => p - LR * coefficient * grads[i]));
    }
  });
});
