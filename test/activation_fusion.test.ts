// Every activation applied in the epilogue of the layer before it (Conv2d's tuned and general kernels,
// Linear, BatchNorm2d and BatchNorm1d in training), as a model fuses them: the pre-activation the layer
// keeps, the activated output, and the gradients through the activation's backward pass and the layer's,
// against the float64 reference (whose derivatives test/reference.test.ts checks by finite differences).
// Every output is poisoned first. Then whole models: fused and unfused plans train to the same numbers.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, Dataset, ELU, Flatten, GELU, Hardswish, LeakyReLU, Linear, MaxPool2d, ReLU, SGD, Sequential, Sigmoid, SiLU, Tanh,
  type Layer,
} from '../src/index';
import { TILES } from '../src/layers/conv2d_tiled';
import { Random } from '../src/random';
import { expectClose, f64, type Tolerance } from './support/compare';
import { pinVariants, randomArray, runLayer, testEngine } from './support/gpu';
import * as act from './reference/activations';
import * as ops from './reference/ops';

const relu: act.Elementwise = { f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0) };

// Each activation with its reference and its kinks (elements within 1e-4 of one may round to either side in f32).
const activations: Array<[string, () => Layer, act.Elementwise, number[]]> = [
  ['ReLU', () => new ReLU(), relu, [0]],
  ['Sigmoid', () => new Sigmoid(), act.sigmoid, []],
  ['Tanh', () => new Tanh(), act.tanh, []],
  ['LeakyReLU(-0.3)', () => new LeakyReLU({ negativeSlope: -0.3 }), act.leakyRelu(-0.3), [0]],
  ['ELU(0.5)', () => new ELU({ alpha: 0.5 }), act.elu(0.5), [0]],
  ['GELU()', () => new GELU(), act.gelu, []],
  ["GELU('tanh')", () => new GELU({ approximate: 'tanh' }), act.geluTanh, []],
  ['SiLU', () => new SiLU(), act.silu, []],
  ['Hardswish', () => new Hardswish(), act.hardswish, [-3, 3]],
];

interface Producer {
  layer: () => Layer;
  batch: number;
  inputShape: number[];
  params: (random: Random) => Record<string, Float32Array>;
  /** The reference's pre-activation and its backward pass for a given gradient of it. */
  forward: (x: Float64Array, p: Record<string, Float64Array>) => Float64Array;
  backward: (x: Float64Array, p: Record<string, Float64Array>, gy: Float64Array) => { gx: Float64Array; gw: Float64Array; gb: Float64Array };
}

const conv = (s: ops.ConvShape, options: ConstructorParameters<typeof Conv2d>[0]): Producer => ({
  layer: () => new Conv2d(options),
  batch: s.batch,
  inputShape: [s.inC, s.h, s.w],
  params: (random) => ({ weight: randomArray(random, (s.outC * s.inC * s.kh * s.kw) / (s.groups ?? 1), -0.5, 0.5), bias: randomArray(random, s.outC) }),
  forward: (x, p) => ops.conv2dForward(s, x, p.weight, p.bias),
  backward: (x, p, gy) => ops.conv2dBackward(s, x, p.weight, gy),
});

const batchNorm = (batch: number, channels: number, plane: number[], make: () => Layer): Producer => {
  const s = { batch, channels, plane: plane.reduce((a, b) => a * b, 1) };
  return {
    layer: make,
    batch,
    inputShape: [channels, ...plane],
    // Weights above 1, so the normalised values spread over the activations' ranges.
    params: (random) => ({ weight: randomArray(random, channels, 1.5, 4), bias: randomArray(random, channels) }),
    forward: (x, p) => ops.batchNormTrain(s, x, p.weight, p.bias, 1e-5).y,
    backward: (x, p, gy) => ops.batchNormBackward(s, x, p.weight, gy, 1e-5),
  };
};

const producers: Record<string, Producer> = {
  'Conv2d (tuned kernels)': conv(
    { batch: 2, inC: 3, h: 7, w: 9, outC: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
    { inChannels: 3, outChannels: 5, kernelSize: 3, padding: 1 },
  ),
  'Conv2d (general kernels: groups 2, dilation 2)': conv(
    { batch: 1, inC: 4, h: 8, w: 7, outC: 6, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 2, dh: 2, dw: 2, groups: 2 },
    { inChannels: 4, outChannels: 6, kernelSize: 3, padding: 2, dilation: 2, groups: 2 },
  ),
  Linear: {
    layer: () => new Linear({ inFeatures: 13, outFeatures: 11 }),
    batch: 3,
    inputShape: [13],
    params: (random) => ({ weight: randomArray(random, 11 * 13), bias: randomArray(random, 11) }),
    forward: (x, p) => ops.linearForward(3, 13, 11, x, p.weight, p.bias),
    backward: (x, p, gy) => ops.linearBackward(3, 13, 11, x, p.weight, gy),
  },
  BatchNorm2d: batchNorm(2, 3, [5, 6], () => new BatchNorm2d({ numFeatures: 3 })),
  BatchNorm1d: batchNorm(7, 9, [], () => new BatchNorm1d({ numFeatures: 9 })),
};

describe.each(Object.entries(producers))('%s', (producerName, producer) => {
  test.each(activations)('then %s, fused: forward and backward equal the float64 reference', async (_, make, fn, kinks) => {
    const engine = await testEngine();
    const random = new Random(producerName.length * 100 + kinks.length);
    const layer = producer.layer();
    const activation = make();
    // Inputs in ±3, so the pre-activations reach each function's tails and kinks.
    const input = randomArray(random, producer.batch * producer.inputShape.reduce((a, b) => a * b, 1), -3, 3);
    const params = producer.params(random);
    const outputs = producer.batch * layer.outputShape(producer.inputShape).reduce((a, b) => a * b, 1);
    const gradOutput = randomArray(random, outputs);
    const run = await runLayer(engine, layer, { batch: producer.batch, inputShape: producer.inputShape, input, params, gradOutput, training: true, activation });

    const reference = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, f64(v)]));
    const pre = producer.forward(f64(input), reference);
    const nearKink = (i: number) => kinks.some((k) => Math.abs(pre[i] - k) < 1e-4);
    expect(pre.some((v) => Math.abs(v) > 2.5), 'pre-activations reach the tails').toBe(true);
    // ReLU is in place: the layer's output is the activated one, as before this fusion was general.
    if (activation.inPlace) expect(run.preActivation).toEqual(run.output);
    else expectClose('pre-activation', run.preActivation!, pre);
    expectClose('output', run.output, act.forward(fn, pre), undefined, nearKink);
    const { gx, gw, gb } = producer.backward(f64(input), reference, act.backward(fn, pre, f64(gradOutput)));
    expectClose('input gradient', run.gradInput!, gx);
    expectClose('weight gradient', run.grads.weight, gw);
    expectClose('bias gradient', run.grads.bias, gb);
  });
});

// Every forward variant of the tuned convolution applies the epilogue (the autotuner may pick any of them).
describe.each(['direct', 'tap-major', ...Object.keys(TILES)])('Conv2d forward variant %s', (variant) => {
  beforeAll(async () => (await testEngine()).autotune.pin('conv2d.forward', variant));
  afterAll(async () => (await testEngine()).autotune.pin('conv2d.forward', undefined));
  const producer = producers['Conv2d (tuned kernels)'];
  test.each(activations.filter(([name]) => ['ReLU', 'SiLU'].includes(name)))('then %s, fused', async (_, make, fn, kinks) => {
    const engine = await testEngine();
    const random = new Random(variant.length);
    const input = randomArray(random, producer.batch * producer.inputShape.reduce((a, b) => a * b, 1), -3, 3);
    const params = producer.params(random);
    const layer = producer.layer();
    const gradOutput = randomArray(random, producer.batch * layer.outputShape(producer.inputShape).reduce((a, b) => a * b, 1));
    const run = await runLayer(engine, layer, { batch: producer.batch, inputShape: producer.inputShape, input, params, gradOutput, training: true, activation: make() });
    const reference = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, f64(v)]));
    const pre = producer.forward(f64(input), reference);
    if (fn !== relu) expectClose('pre-activation', run.preActivation!, pre);
    expectClose('output', run.output, act.forward(fn, pre), undefined, (i) => kinks.some((k) => Math.abs(pre[i] - k) < 1e-4));
    expectClose('weight gradient', run.grads.weight, producer.backward(f64(input), reference, act.backward(fn, pre, f64(gradOutput))).gw);
  });
});

// Fused and unfused plans compute the same functions in the same order, apart from where the activation
// runs, so they agree to f32 rounding: stated as 1e-6 of each tensor's norm (elements 1e-6 + 1e-5 relative).
const SAME: Tolerance = { normRelative: 1e-6, absolute: 1e-6, relative: 1e-5 };

/** One SGD step from the same weights on the same batch; the loss, gradients, parameters, and the forward dispatches. */
async function trainOneStep(layers: () => Layer[], inputShape: number[], fusion: boolean) {
  const engine = await testEngine();
  const random = new Random(17);
  const batch = 6;
  const samples = Float32Array.from({ length: batch * inputShape.reduce((a, b) => a * b, 1) }, () => random.uniform(-2, 2));
  const labels = Uint32Array.from({ length: batch }, () => random.below(3));
  const data = Dataset.upload(engine, { samples, labels, sampleShape: inputShape });
  const model = new Sequential(engine, layers(), { inputShape, seed: 3, fusion });
  try {
    model.compile({ optimizer: new SGD({ lr: 0.1 }) });
    const forward = (await model.plan(batch, true)).forwardStages().map((s) => s.name);
    const result = await model.fit(data, { batchSize: batch, shuffle: false, maxSteps: 1, logEvery: 1 });
    return { loss: result.finalLoss, gradients: await model.getGradients(), parameters: await model.getParameters(), forward, predictions: (await model.predict(samples)).data };
  } finally {
    await model.dispose();
    data.dispose();
  }
}

// Both models of each test run the same kernel variants, so that the only difference between them is
// the fusion (the autotuner could otherwise choose differently for a fused and an unfused layer, which
// name different problems, and sum in another order).
describe('fused and unfused models on the same kernels', () => {
  pinVariants(['conv2d.forward', 'conv2d.input_grad', 'conv2d.bias_grad'], 'direct');
  pinVariants(['conv2d.weight_grad'], '4 taps x 8 channels');
  pinVariants(['conv2d_general.forward', 'conv2d_general.input_grad', 'conv2d_general.weight_grad'], 'general');
  pinVariants(['batchnorm.statistics', 'batchnorm.backward_reduce'], 'workgroup');

  test('a model of every activation: fused and unfused plans give the same step, and fusion drops the activations\' forward passes', async () => {
    const layers = () => [
      new Conv2d({ name: 'c1', inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1 }), new SiLU({ name: 'a1' }),
      new Conv2d({ name: 'c2', inChannels: 4, outChannels: 4, kernelSize: 3, padding: 2, dilation: 2, groups: 2 }), new GELU({ name: 'a2' }),
      new BatchNorm2d({ name: 'bn', numFeatures: 4 }), new ELU({ name: 'a3', alpha: 0.5 }), new Flatten({ name: 'flat' }),
      new Linear({ name: 'fc1', inFeatures: 4 * 6 * 6, outFeatures: 10 }), new Tanh({ name: 'a4' }),
      new BatchNorm1d({ name: 'bn1', numFeatures: 10 }), new LeakyReLU({ name: 'a5', negativeSlope: 0.1 }),
      new Linear({ name: 'fc2', inFeatures: 10, outFeatures: 8 }), new Hardswish({ name: 'a6' }),
      new Linear({ name: 'fc3', inFeatures: 8, outFeatures: 6 }), new Sigmoid({ name: 'a7' }), new Linear({ name: 'out', inFeatures: 6, outFeatures: 3 }),
    ];
    const fused = await trainOneStep(layers, [2, 6, 6], true);
    const unfused = await trainOneStep(layers, [2, 6, 6], false);
    const activationPasses = (names: string[]) => names.filter((n) => n.includes('(activation.forward)')).length;
    expect([activationPasses(fused.forward), activationPasses(unfused.forward)]).toEqual([0, 7]);
    expect(Math.abs(fused.loss - unfused.loss)).toBeLessThan(1e-6 * Math.abs(unfused.loss));
    for (const [name, g] of unfused.gradients) expectClose(`${name} gradient`, fused.gradients.get(name)!.data, g.data, SAME);
    for (const [name, p] of unfused.parameters) expectClose(name, fused.parameters.get(name)!.data, p.data, SAME);
    expectClose('predictions', fused.predictions, unfused.predictions, SAME);
  });

  test('ReLU: fused into Conv2d, BatchNorm2d and Linear, and its mask into MaxPool2d, bit for bit the unfused step', async () => {
    const layers = () => [
      new Conv2d({ name: 'c1', inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }), new ReLU({ name: 'r1' }), new MaxPool2d({ name: 'p1', kernelSize: 2 }),
      new Conv2d({ name: 'c2', inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, bias: false }), new BatchNorm2d({ name: 'bn', numFeatures: 4 }), new ReLU({ name: 'r2' }),
      new Flatten({ name: 'flat' }), new Linear({ name: 'fc', inFeatures: 4 * 4 * 4, outFeatures: 5 }), new ReLU({ name: 'r3' }), new Linear({ name: 'out', inFeatures: 5, outFeatures: 3 }),
    ];
    const fused = await trainOneStep(layers, [1, 8, 8], true);
    const unfused = await trainOneStep(layers, [1, 8, 8], false);
    expect(fused.forward.filter((n) => n.includes('(relu.forward)'))).toEqual([]);
    expect(unfused.forward.filter((n) => n.includes('(relu.forward)'))).toHaveLength(3);
    expect(fused.loss).toBe(unfused.loss);
    for (const [name, g] of unfused.gradients) expect(fused.gradients.get(name)!.data, `${name} gradient`).toEqual(g.data);
    for (const [name, p] of unfused.parameters) expect(fused.parameters.get(name)!.data, name).toEqual(p.data);
  });
});
