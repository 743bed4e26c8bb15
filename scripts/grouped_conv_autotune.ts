// node dist/cli/grouped_conv_autotune.js [--adapter lavapipe|swiftshader|gpu]: the autotuner's timings of
// every candidate for a mobile-style block's grouped and depthwise convolutions, tuned afresh (no store):
// 32 channels of 14 × 14, a 1 × 1 convolution, a depthwise 3 × 3 (groups 32) and a groups-4 3 × 3, each
// with bias and a fused ReLU, one training step at batch 50. Built by `npx vite build --mode cli`.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Dataset } from '../src/data/dataset';
import { createNodeEngine } from '../src/gpu/node_host';
import { Conv2d } from '../src/layers/conv2d';
import { Flatten } from '../src/layers/flatten';
import { Linear } from '../src/layers/linear';
import { ReLU } from '../src/layers/relu';
import { Sequential } from '../src/model';
import { SGD } from '../src/optim/sgd';
import { Random } from '../src/random';

const BATCH = 50;
const SHAPE = [32, 14, 14];

const { values } = parseArgs({ options: { adapter: { type: 'string', default: 'lavapipe' } } });
const engine = await createNodeEngine({ adapter: values.adapter as 'lavapipe' });
const random = new Random(1);
const pixels = SHAPE.reduce((a, b) => a * b, 1);
const data = Dataset.upload(engine, {
  samples: Float32Array.from({ length: BATCH * pixels }, () => random.next()),
  labels: Uint32Array.from({ length: BATCH }, () => random.below(10)),
  sampleShape: SHAPE,
  name: 'random 32 × 14 × 14',
});
const model = new Sequential(engine, [
  // A first layer, so that the depthwise layer's input gradient is computed (and tuned) too.
  new Conv2d({ name: 'pointwise', inChannels: 32, outChannels: 32, kernelSize: 1 }), new ReLU({ name: 'relu0' }),
  new Conv2d({ name: 'depthwise', inChannels: 32, outChannels: 32, kernelSize: 3, padding: 1, groups: 32 }), new ReLU({ name: 'relu1' }),
  new Conv2d({ name: 'grouped', inChannels: 32, outChannels: 32, kernelSize: 3, padding: 1, groups: 4 }), new ReLU({ name: 'relu2' }),
  new Flatten({ name: 'flatten' }), new Linear({ name: 'head', inFeatures: pixels, outFeatures: 10 }),
], { inputShape: SHAPE, seed: 1 });
model.compile({ optimizer: new SGD({ lr: 0.01 }) });
const started = performance.now();
await model.fit(data, { batchSize: BATCH, maxSteps: 1, logEvery: 1e9 });
console.log(`adapter: ${engine.adapter.label}; batch ${BATCH}; first step ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const d of engine.autotune.decisions()) {
  if (!d.problem.startsWith('conv2d_general.')) continue;
  const times = Object.entries(d.ms).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms${d.pruned.includes(name) ? ' (pruned)' : ''}`);
  const skipped = d.skipped.length ? `; skipped ${d.skipped.join(', ')}` : '';
  console.log(`${d.problem.replace(/ #\w+$/, '')}: ${d.chosen} | ${times.join(' | ')}${skipped} | tuning ${(d.tuning_ms / 1000).toFixed(2)} s`);
}
await model.dispose();
data.dispose();
await engine.dispose();
