// The messages between the page and the training worker. The worker owns the engine, the model and the
// data; the page only draws. Typed arrays travel as transferables, so nothing large is copied twice.
import type { AdapterDescription } from '../src/index';
import type { NetworkName } from './networks';

export interface TrainSettings {
  network: NetworkName;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Train on the first this many training images. */
  trainImages: number;
  /** Evaluate (and plot) every this many steps... */
  evalEvery: number;
  /** ...on the first this many test images. */
  evalImages: number;
  /** The accuracy at the end: on the first this many test images (all 10,000 by default). */
  testImages: number;
}

/** Images the page shows: the first test images (grid, map hover) and one training digit. */
export const PREVIEW_IMAGES = 500;
/** Test images in the embedding map. */
export const MAP_IMAGES = 500;

export type ToWorker =
  | { type: 'train'; settings: TrainSettings }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'predict'; id: number; pixels: Uint8Array }
  | { type: 'save' }
  | { type: 'load'; bytes: ArrayBuffer; name: string; network: NetworkName };

export type RunState = 'ready' | 'training' | 'pausing' | 'paused' | 'evaluating';

export type FromWorker =
  | { type: 'loading'; text: string; fraction: number }
  | {
      type: 'ready';
      adapter: AdapterDescription;
      trainCount: number;
      testLabels: Uint8Array;
      /** The first PREVIEW_IMAGES test images, 784 bytes each. */
      testImages: Uint8Array;
      trainDigit: { pixels: Uint8Array; label: number };
    }
  | { type: 'state'; state: RunState; modelSteps: number; network: NetworkName }
  | { type: 'progress'; step: number; totalSteps: number; epoch: number; epochs: number; samplesPerSecond: number; etaSeconds: number }
  | { type: 'log'; step: number; loss: number; accuracy?: number; predictions?: Uint32Array }
  | { type: 'final'; accuracy: number; correct: number; count: number; predictions: Uint32Array }
  /** The map's features: the output of `layer` (its name in the model) for MAP_IMAGES test images. */
  | { type: 'features'; features: Float32Array; dim: number; count: number; layer: string }
  | { type: 'prediction'; id: number; probabilities: number[] }
  | { type: 'checkpoint'; bytes: ArrayBuffer }
  /** `fatal`: the engine cannot go on (no adapter, device lost); the page explains instead of training. */
  | { type: 'error'; name: string; message: string; fatal: boolean };
