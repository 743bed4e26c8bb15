// Run in the Node example app once the tarball is installed (test/consumers/consumers.test.ts): an
// engine created and trained through the package leaves globalThis, process.env and the disk as they
// were, and CommonJS code can require the Node entry. Prints one JSON line.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
const envBefore = JSON.stringify(process.env);
const { Adam, Conv2d, Dataset, Flatten, Linear, createNodeEngine } = await import('webgpu-cnn/node');
const engine = await createNodeEngine();
const { Sequential } = createRequire(import.meta.url)('webgpu-cnn/node');
const model = new Sequential(engine, [new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new Flatten(), new Linear({ inFeatures: 2 * 6 * 6, outFeatures: 2 })], {
  inputShape: [1, 8, 8],
});
model.compile({ optimizer: new Adam() });
const data = Dataset.upload(engine, { samples: new Uint8Array(4 * 64).fill(7), labels: [0, 1, 0, 1], sampleShape: [1, 8, 8] });
const { finalLoss } = await model.fit(data, { batchSize: 2, maxSteps: 2 });
await model.dispose();
engine.dispose();
console.log(JSON.stringify({
  finalLoss,
  addedGlobals: Object.getOwnPropertyNames(globalThis).filter((name) => !globalsBefore.has(name)),
  envChanged: JSON.stringify(process.env) !== envBefore,
  cacheFiles: readdirSync(process.env.XDG_CACHE_HOME),
}));
process.exit(0);
