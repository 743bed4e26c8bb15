// A Node program that trains a small CNN on the GPU through webgpu-cnn: 16×16 images that hold one
// bright square, labelled by the quarter of the image it lies in. Build and run: npm run build && npm start
import { Adam, Conv2d, Dataset, Flatten, Linear, MaxPool2d, ReLU, Sequential, createNodeEngine } from 'webgpu-cnn/node';

const SIDE = 16;

/** `count` images of SIDE×SIDE bytes and their labels (0: top left, 1: top right, 2: bottom left, 3: bottom right). */
function squares(count: number): { samples: Uint8Array; labels: Uint8Array } {
  const samples = new Uint8Array(count * SIDE * SIDE);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    const top = (labels[i] >> 1) * 8 + ((i * 7) % 5);
    const left = (labels[i] & 1) * 8 + ((i * 3) % 5);
    for (let y = top; y < top + 3; y++) samples.fill(255, i * SIDE * SIDE + y * SIDE + left, i * SIDE * SIDE + y * SIDE + left + 3);
  }
  return { samples, labels };
}

const engine = await createNodeEngine(); // a real GPU if there is one, else lavapipe, else SwiftShader
console.log(`adapter: ${engine.adapter.label}`);
const model = new Sequential(
  engine,
  [
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 4 * 8 * 8, outFeatures: 4 }),
  ],
  { inputShape: [1, SIDE, SIDE], seed: 1 },
);
const data = squares(400);
const train = Dataset.upload(engine, { ...data, sampleShape: [1, SIDE, SIDE], name: 'squares' });
model.compile({ optimizer: new Adam({ lr: 0.01 }) });

const result = await model.fit(train, { epochs: 4, batchSize: 20, logEvery: 20, onLog: ({ step, loss }) => console.log(`step ${step}: loss ${loss.toFixed(4)}`) });
const { accuracy } = await model.evaluate(train);
console.log(`accuracy: ${(accuracy * 100).toFixed(1)}% after ${result.steps} steps`);

const logits = await model.predict(data.samples.subarray(0, SIDE * SIDE)); // [1, 4]
console.log(`first image: predicted ${logits.data.indexOf(Math.max(...logits.data))}, labelled ${data.labels[0]}`);

await model.dispose();
engine.dispose();
process.exit(0); // Dawn keeps Node's event loop alive
