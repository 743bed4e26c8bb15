// What a separate activation pass costs in a training step, and what fusing it into the layer before
// saves (`npm run bench -- --activation-fusion`): networks of today's activations, each profiled per
// dispatch (model.profileTrainingStep) as built with fusion and without, in one process so the two compare.
import { Dataset } from '../data/dataset';
import type { Engine } from '../gpu/engine';
import { AdaptiveAvgPool2d } from '../layers/adaptive_avg_pool2d';
import { BatchNorm2d } from '../layers/batchnorm2d';
import { Conv2d } from '../layers/conv2d';
import { Dropout } from '../layers/dropout';
import { Flatten } from '../layers/flatten';
import { GELU } from '../layers/gelu';
import type { Layer } from '../layers/layer';
import { Linear } from '../layers/linear';
import { MaxPool2d } from '../layers/maxpool2d';
import { Residual } from '../layers/residual';
import { SiLU } from '../layers/silu';
import { Sequential } from '../model';
import type { StageTime } from '../profiler';
import { SGD } from '../optim/sgd';
import { Random } from '../random';

export interface FusionNetworkReport {
  network: string;
  fusion: boolean;
  batch_size: number;
  /** Elements the activation layers produce per step (batch included). */
  activation_elements: number;
  /** Bytes a separate activation pass moves per step: forward reads x and writes y, backward reads x and dy and writes dx. */
  separate_pass_bytes: { forward: number; backward: number };
  /** GPU time of the whole step and of the activation layers' own dispatches, in milliseconds (each dispatch's median). */
  step_ms: number;
  activation_forward_ms: number;
  activation_backward_ms: number;
  /** The producers' forward dispatches (the layers right before an activation), where a fused activation runs. */
  producer_forward_ms: number;
}

interface Network {
  name: string;
  inputShape: number[];
  layers(): Layer[];
}

/** The small ResNet of the design (src/small_resnet.ts) with `activation` wherever it has a ReLU layer; the residual sum keeps its ReLU. */
function smallResNetWith(name: string, activation: (name: string) => Layer): Network {
  const conv = (n: string, i: number, o: number) => new Conv2d({ name: n, inChannels: i, outChannels: o, kernelSize: 3, padding: 1, bias: false });
  const bn = (n: string, c: number) => new BatchNorm2d({ name: n, numFeatures: c });
  return {
    name,
    inputShape: [1, 28, 28],
    layers: () => [
      conv('features.0', 1, 16), bn('features.1', 16), activation('features.2'), new MaxPool2d({ name: 'features.3', kernelSize: 2 }),
      conv('features.4', 16, 32), bn('features.5', 32), activation('features.6'),
      new Residual({ name: 'block', block: [conv('0', 32, 32), bn('1', 32), activation('2'), conv('3', 32, 32), bn('4', 32)] }),
      new MaxPool2d({ name: 'head.0', kernelSize: 2 }), conv('head.1', 32, 64), bn('head.2', 64), activation('head.3'),
      new AdaptiveAvgPool2d({ name: 'head.4', outputSize: 1 }), new Flatten({ name: 'head.5' }), new Dropout({ name: 'head.6', p: 0.2 }),
      new Linear({ name: 'head.7', inFeatures: 64, outFeatures: 10 }),
    ],
  };
}

export const FUSION_NETWORKS: readonly Network[] = [
  smallResNetWith('small ResNet, GELU for ReLU (after BatchNorm2d)', (name) => new GELU({ name })),
  smallResNetWith('small ResNet, SiLU for ReLU (after BatchNorm2d)', (name) => new SiLU({ name })),
  {
    // The tutorial's CNN with SiLU after each convolution and a GELU hidden layer.
    name: 'Conv2d→SiLU ×2, Linear→GELU',
    inputShape: [1, 28, 28],
    layers: () => [
      new Conv2d({ name: 'conv1', inChannels: 1, outChannels: 16, kernelSize: 5, padding: 2 }), new SiLU({ name: 'act1' }), new MaxPool2d({ name: 'pool1', kernelSize: 2 }),
      new Conv2d({ name: 'conv2', inChannels: 16, outChannels: 32, kernelSize: 5, padding: 2 }), new SiLU({ name: 'act2' }), new MaxPool2d({ name: 'pool2', kernelSize: 2 }),
      new Flatten({ name: 'flatten' }), new Linear({ name: 'fc1', inFeatures: 32 * 7 * 7, outFeatures: 256 }), new GELU({ name: 'act3' }),
      new Linear({ name: 'fc2', inFeatures: 256, outFeatures: 10 }),
    ],
  },
];

const isActivation = (layer: Layer) => layer.kind === 'GELU' || layer.kind === 'SiLU';

/** Every layer of `layers` with its per-sample input shape, containers' insides included, in order. */
function flatten(layers: readonly Layer[], input: readonly number[]): Array<{ layer: Layer; input: readonly number[] }> {
  const out: Array<{ layer: Layer; input: readonly number[] }> = [];
  let shape = input;
  for (const layer of layers) {
    out.push({ layer, input: shape });
    for (const child of layer.children(shape)) out.push(...flatten([child.layer], child.input));
    shape = layer.outputShape(shape);
  }
  return out;
}

/** The median of each stage's times over several profiles of the same stages. */
function medians(profiles: StageTime[][]): StageTime[] {
  return profiles[0].map((stage, i) => {
    const sorted = profiles.map((p) => p[i].ms).sort((a, b) => a - b);
    return { ...stage, ms: sorted[Math.floor(sorted.length / 2)] };
  });
}

/**
 * Profiles a training step of every network built without fusion and with it, `rounds` times each,
 * alternating the two (and which goes first) so that the machine's load falls on both alike; each
 * dispatch's time is its median.
 */
export async function measureActivationFusion(engine: Engine, options: { batchSize: number; rounds: number }): Promise<FusionNetworkReport[]> {
  const { batchSize: batch, rounds } = options;
  const reports: FusionNetworkReport[] = [];
  const random = new Random(1);
  for (const network of FUSION_NETWORKS) {
    const pixels = network.inputShape.reduce((a, b) => a * b, 1);
    const data = Dataset.upload(engine, {
      samples: Float32Array.from({ length: batch * pixels }, () => random.next()),
      labels: Uint32Array.from({ length: batch }, () => random.below(10)),
      sampleShape: network.inputShape,
      name: 'random images',
    });
    const models = [false, true].map((fusion) => new Sequential(engine, network.layers(), { inputShape: network.inputShape, seed: 1, fusion }));
    try {
      for (const model of models) {
        model.compile({ optimizer: new SGD({ lr: 0.01 }) });
        // A first step compiles every pipeline and runs the autotuner before the timing starts.
        await model.fit(data, { batchSize: batch, maxSteps: 1, logEvery: 1e9 });
      }
      const profiles: StageTime[][][] = models.map(() => []);
      // Which model goes first alternates too: on a loaded machine the second of two back-to-back profiles ran slower.
      for (let r = 0; r < rounds; r++) {
        for (const i of r % 2 ? [1, 0] : [0, 1]) profiles[i].push((await models[i].profileTrainingStep(data, { batchSize: batch, repeats: 1 })).times);
      }
      models.forEach((model, m) => reports.push(report(network, model, batch, medians(profiles[m]))));
    } finally {
      for (const model of models) await model.dispose();
      data.dispose();
    }
  }
  return reports;
}

function report(network: Network, model: Sequential, batch: number, times: StageTime[]): FusionNetworkReport {
  const all = flatten(model.layers, network.inputShape);
  const labels = (match: (i: number) => boolean) => all.filter((_, i) => match(i)).map(({ layer }) => `${model.layout.names.get(layer)} (${layer.kind})`);
  const activations = labels((i) => isActivation(all[i].layer));
  const producers = labels((i) => all[i + 1] !== undefined && isActivation(all[i + 1].layer));
  const elements = all.filter(({ layer }) => isActivation(layer)).reduce((a, { input }) => a + batch * input.reduce((x, y) => x * y, 1), 0);
  const sum = (names: string[], part: (stage: string) => boolean) =>
    times.filter((t) => names.some((n) => t.name.startsWith(`${n} `)) && part(t.name)).reduce((a, t) => a + t.ms, 0);
  const isForward = (stage: string) => / forward|normalize|statistics|tap-major/.test(stage);
  return {
    network: network.name,
    fusion: model.fusion,
    batch_size: batch,
    activation_elements: elements,
    separate_pass_bytes: { forward: 8 * elements, backward: 12 * elements },
    step_ms: times.reduce((a, t) => a + t.ms, 0),
    activation_forward_ms: sum(activations, isForward),
    activation_backward_ms: sum(activations, (stage) => !isForward(stage)),
    producer_forward_ms: sum(producers, isForward),
  };
}
