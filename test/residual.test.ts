// Residual connections (residual.wgsl through the Residual container) inside a model, against a float64
// composition of the reference ops: the model's output and, after one training step, every gradient —
// including the first convolution's, which only sees the sum of what returns through the block and through
// the identity or the shortcut. Also the names the container gives the layers inside it.
import { describe, expect, test } from 'vitest';
import { Conv2d, Dataset, Flatten, Linear, ReLU, Residual, SGD, Sequential, type Layer, type Tensor } from '../src/index';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { randomArray, testEngine } from './support/gpu';
import * as ops from './reference/ops';

const [C_IN, H, W, BATCH, CLASSES] = [1, 5, 6, 3, 4];

function conv(inC: number, outC: number, k: number) {
  return { s: { batch: BATCH, inC, h: H, w: W, outC, kh: k, kw: k, sh: 1, sw: 1, ph: (k - 1) / 2, pw: (k - 1) / 2 } };
}

/** stem Conv(1→2, 3) → Residual(block: Conv(2→C, 3), ReLU, Conv(C→C, 3); shortcut: Conv(2→C, 1) or identity) → Flatten → Linear. */
function network(withShortcut: boolean, activation: 'relu' | 'none'): Layer[] {
  const c = withShortcut ? 3 : 2;
  return [
    new Conv2d({ name: 'stem', inChannels: C_IN, outChannels: 2, kernelSize: 3, padding: 1 }),
    new Residual({
      name: 'res',
      block: [new Conv2d({ inChannels: 2, outChannels: c, kernelSize: 3, padding: 1 }), new ReLU(), new Conv2d({ inChannels: c, outChannels: c, kernelSize: 3, padding: 1, bias: false })],
      shortcut: withShortcut ? [new Conv2d({ inChannels: 2, outChannels: c, kernelSize: 1 })] : undefined,
      activation,
    }),
    new Flatten(),
    new Linear({ name: 'fc', inFeatures: c * H * W, outFeatures: CLASSES }),
  ];
}

/** The same network in float64: logits, and the gradients of the mean cross-entropy. */
function reference(p: Map<string, Tensor>, x: Float64Array, labels: number[], withShortcut: boolean, activation: 'relu' | 'none') {
  const c = withShortcut ? 3 : 2;
  const get = (name: string) => f64(p.get(name)!.data);
  const zeros = (n: number) => new Float64Array(n);
  const stem = conv(C_IN, 2, 3);
  const b0 = conv(2, c, 3);
  const b2 = conv(c, c, 3);
  const sc = conv(2, c, 1);
  const h0 = ops.conv2dForward(stem.s, x, get('stem.weight'), get('stem.bias'));
  const a0 = ops.conv2dForward(b0.s, h0, get('res.0.weight'), get('res.0.bias'));
  const r1 = ops.relu(a0);
  const a2 = ops.conv2dForward(b2.s, r1, get('res.2.weight'), zeros(c));
  const short = withShortcut ? ops.conv2dForward(sc.s, h0, get('res.shortcut.0.weight'), get('res.shortcut.0.bias')) : h0;
  const sum = a2.map((v, i) => v + short[i]);
  const y = activation === 'relu' ? ops.relu(sum) : sum;
  const logits = ops.linearForward(BATCH, c * H * W, CLASSES, y, get('fc.weight'), get('fc.bias'));
  const { loss, grad } = ops.softmaxCrossEntropy(BATCH, CLASSES, logits, labels);
  const fc = ops.linearBackward(BATCH, c * H * W, CLASSES, y, get('fc.weight'), grad);
  const gSum = activation === 'relu' ? ops.reluBackward(y, fc.gx) : fc.gx;
  const g2 = ops.conv2dBackward(b2.s, r1, get('res.2.weight'), gSum);
  const g0 = ops.conv2dBackward(b0.s, h0, get('res.0.weight'), ops.reluBackward(r1, g2.gx));
  const gShort = withShortcut ? ops.conv2dBackward(sc.s, h0, get('res.shortcut.0.weight'), gSum) : undefined;
  const gh0 = g0.gx.map((v, i) => v + (gShort ? gShort.gx[i] : gSum[i]));
  const gStem = ops.conv2dBackward(stem.s, x, get('stem.weight'), gh0);
  const grads: Record<string, Float64Array> = {
    'stem.weight': gStem.gw, 'stem.bias': gStem.gb, 'res.0.weight': g0.gw, 'res.0.bias': g0.gb, 'res.2.weight': g2.gw,
    'fc.weight': fc.gw, 'fc.bias': fc.gb,
  };
  if (gShort) Object.assign(grads, { 'res.shortcut.0.weight': gShort.gw, 'res.shortcut.0.bias': gShort.gb });
  return { logits, loss, grads };
}

describe.each([
  { withShortcut: false, activation: 'relu' as const },
  { withShortcut: true, activation: 'relu' as const },
  { withShortcut: true, activation: 'none' as const },
])('residual %o', ({ withShortcut, activation }) => {
  test('output and every gradient match the float64 reference', async () => {
    const engine = await testEngine();
    const model = new Sequential(engine, network(withShortcut, activation), { inputShape: [C_IN, H, W], seed: 3 });
    const random = new Random(5);
    const samples = randomArray(random, BATCH * C_IN * H * W);
    const labels = [1, 3, 0];
    const params = await model.getParameters();
    const ref = reference(params, f64(samples), labels, withShortcut, activation);
    expectClose('logits', (await model.predict(samples)).data, ref.logits);

    // One step with a zero learning rate leaves the parameters and exposes the gradients at them.
    model.compile({ optimizer: new SGD({ lr: 0 }) });
    const data = Dataset.upload(engine, { samples, labels, sampleShape: [C_IN, H, W] });
    const result = await model.fit(data, { batchSize: BATCH, shuffle: false, logEvery: 1 });
    expect(result.finalLoss).toBeCloseTo(ref.loss, 5);
    const grads = await model.getGradients();
    expect([...grads.keys()].sort()).toEqual(Object.keys(ref.grads).sort());
    for (const [name, grad] of Object.entries(ref.grads)) expectClose(`${name} gradient`, grads.get(name)!.data, grad);
    await model.dispose();
    data.dispose();
  });
});

describe('residual containers', () => {
  test('name the layers inside as a PyTorch module does, and check both branches give one shape', async () => {
    const engine = await testEngine();
    const model = new Sequential(engine, network(true, 'relu'), { inputShape: [C_IN, H, W] });
    expect(model.layout.parameters.map((e) => e.name)).toEqual([
      'stem.weight', 'stem.bias', 'res.0.weight', 'res.0.bias', 'res.2.weight', 'res.shortcut.0.weight', 'res.shortcut.0.bias', 'fc.weight', 'fc.bias',
    ]);
    expect(model.summary()).toContain('res (Residual)');
    await model.dispose();
    const widen = () => new Residual({ name: 'r', block: [new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 1 })] });
    expect(() => new Sequential(engine, [widen()], { inputShape: [2, 4, 4] })).toThrow('Residual "r": the block gives [3, 4, 4], the input (identity shortcut) is: got shape [2, 4, 4]');
    expect(() => new Residual({ block: [new ReLU()] })).toThrow('the block begins with ReLU, which works in place on its input');
    expect(() => new Residual({ block: [] })).toThrow('the block has no layers');
  });
});
