// Quick start: build a small CNN, train it on 3,000 MNIST images on the GPU, evaluate it, and use it.
// Run with: npm run build && node examples/quickstart.mjs
import {
  Adam, Conv2d, Dataset, Flatten, Linear, MaxPool2d, ReLU, Sequential, createNodeEngine, loadMnistFromPackage,
} from 'webgpu-cnn/node';

const engine = await createNodeEngine(); // a real GPU if there is one, else lavapipe, else SwiftShader
console.log(`adapter: ${engine.adapter.label}`);

const model = new Sequential(
  engine,
  [
    new Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 5, padding: 2 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 8 * 14 * 14, outFeatures: 10 }),
  ],
  { inputShape: [1, 28, 28], seed: 1 },
);
console.log(model.summary());

const mnist = await loadMnistFromPackage();
const train = Dataset.upload(engine, { samples: mnist.train.images.subarray(0, 3000 * 784), labels: mnist.train.labels.subarray(0, 3000), sampleShape: [1, 28, 28], name: 'train' });
const test = Dataset.upload(engine, { samples: mnist.test.images, labels: mnist.test.labels, sampleShape: [1, 28, 28], name: 'test' });

model.compile({ optimizer: new Adam({ lr: 1e-3 }) });
const result = await model.fit(train, {
  epochs: 1,
  batchSize: 50,
  logEvery: 25,
  onLog: ({ step, loss }) => console.log(`step ${step}: loss ${loss.toFixed(4)}`),
});
console.log(`${result.samplesPerSecond.toFixed(0)} samples/s`);

const { accuracy } = await model.evaluate(test, { limit: 1000 });
console.log(`accuracy on 1000 test images: ${(accuracy * 100).toFixed(1)}%`);

const logits = await model.predict(mnist.test.images.subarray(0, 784)); // shape [1, 10]
console.log(`first test image: predicted ${logits.data.indexOf(Math.max(...logits.data))}, labelled ${mnist.test.labels[0]}`);

const weights = await model.getParameters(); // Map: PyTorch-style names → { shape, data }
console.log([...weights].map(([name, t]) => `${name} [${t.shape}]`).join(', '));

await model.dispose();
engine.dispose();
process.exit(0); // Dawn keeps Node's event loop alive
