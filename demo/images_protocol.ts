// The messages between the "Your images" page and its training worker. The page decodes and resizes the
// pictures (it owns them: thumbnails, mistakes); the worker gets the samples' bytes, [count, C, H, W], once
// per run as a transferable, and owns the engine, the model and the datasets.
import type { AdapterDescription, AugmentOptions } from '../src/index';
import type { NetworkName } from './networks';
import type { FromWorker } from './protocol';

export interface ImageTrainSettings {
  network: NetworkName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The fraction of each class held out for validation (stratifiedSplit), in [0, 1). */
  validation: number;
  augment: AugmentOptions;
  seed: number;
}

export interface PictureData {
  samples: Uint8Array;
  labels: Uint32Array;
  sampleShape: [number, number, number];
  classes: string[];
}

export type ToImagesWorker =
  | { type: 'train'; data: PictureData; settings: ImageTrainSettings }
  | { type: 'stop' }
  /** One sample in the trained model's format ([C, H, W] bytes). */
  | { type: 'predict'; id: number; sample: Uint8Array }
  /** The trained model as a safetensors file, described (network, input shape, classes) for npm run eval and classify(). */
  | { type: 'save' };

export type ImagesRunState = 'ready' | 'training' | 'stopping' | 'evaluating';

export type FromImagesWorker =
  | { type: 'loading'; text: string; fraction: number }
  | { type: 'ready'; adapter: AdapterDescription }
  | { type: 'state'; state: ImagesRunState; trained: boolean }
  | { type: 'split'; train: number; validation: number }
  | Extract<FromWorker, { type: 'progress' }>
  | { type: 'log'; step: number; loss: number; accuracy?: number }
  /** `indices`: the evaluated samples (of the data sent), `predictions`: the class predicted for each;
   *  `onTraining`: no picture could be held out, so these are the training pictures. */
  | { type: 'final'; accuracy: number; correct: number; count: number; indices: Uint32Array; predictions: Uint32Array; onTraining: boolean }
  | { type: 'prediction'; id: number; probabilities: number[] }
  | { type: 'saved'; bytes: ArrayBuffer }
  | { type: 'error'; name: string; message: string; fatal: boolean };
