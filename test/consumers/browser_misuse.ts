// Type-checked, never run, in the Vite example app (test/consumers/consumers.test.ts): the browser entry
// carries WebGPU's own types (nothing to add to tsconfig), misuse does not compile, and nothing is `any`.
import { Sequential, createEngine, localStorageStore, referenceCnn } from 'webgpu-cnn';

const engine = await createEngine({ tuningStore: localStorageStore() });
export const device: GPUDevice = engine.device;
// @ts-expect-error: a device is not a buffer
export const buffer: GPUBuffer = engine.device;
// @ts-expect-error: not a power preference
await createEngine({ powerPreference: 'fastest' });
const model: Sequential = referenceCnn(engine);
// @ts-expect-error: predict takes bytes or floats
await model.predict([0, 1, 2]);
// @ts-expect-error: evaluate resolves to an Evaluation
export const accuracy: string = (await model.evaluate(undefined as never)).accuracy;
