// Type-checked, never run, in the Node example app (test/consumers/consumers.test.ts): misuse of the
// API must not compile, and nothing this package exports may be `any` (each @ts-expect-error line fails
// to compile, as unused, where the type it exercises is `any`).
import { Conv2d, Dataset, NoAdapterError, createNodeEngine, fileTuningStore, type StageTime, type TuningStore } from 'webgpu-cnn/node';

// @ts-expect-error: not an adapter name
await createNodeEngine({ adapter: 'cuda' });
const store: TuningStore = fileTuningStore('/tmp/tuning.json');
const engine = await createNodeEngine({ adapter: 'lavapipe', tuningStore: store });
// @ts-expect-error: a label is a string
export const label: number = engine.adapter.label;
// @ts-expect-error: kernelSize is required
new Conv2d({ inChannels: 1, outChannels: 4 });
// @ts-expect-error: samples are bytes or floats
Dataset.upload(engine, { samples: [0, 1, 2, 3], labels: [0], sampleShape: [1, 2, 2] });
const times: StageTime[] = [];
// @ts-expect-error: milliseconds are a number
export const ms: string = times[0].ms;
// @ts-expect-error: the class names its errors
export const name: 'Other' = new NoAdapterError('').name;
// @ts-expect-error: WebGPU's types stand in for themselves without the DOM library, never as any
export const device: number = engine.device;
