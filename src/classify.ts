// The top classes of each input with their probabilities, on predict()'s path (no second way to run the
// model): pixels are prepared as predict() prepares them (scaled, normalised with model.info.normalize),
// and the scores become probabilities by a softmax in float64 on the CPU, or are taken as they are when
// the model ends in a Softmax.
// Pictures (RgbaImages) enter as the bytes imageToSample makes of them at the model's input size and
// channels: resized and converted as an image folder's pictures are, then normalised as training was.
import { ConfigError, ShapeError } from './gpu/errors';
import type { RgbaImage } from './images/rgba_image';
import { imageToSample } from './images/to_sample';
import { positiveInt } from './layers/check';
import type { Sequential } from './model';

export interface ClassifyOptions {
  /** How many classes to give per input, the most probable first (default 5; at most the model's classes). */
  top?: number;
  /** Inputs per forward pass, as in predict(). */
  batchSize?: number;
}

export interface ClassScore {
  /** The class's name from model.info.classes, or its index as text when the model has no names. */
  className: string;
  /** The class's index: its output's position. */
  index: number;
  /** Its probability, in [0, 1]. */
  probability: number;
}

/** What classify() takes: inputs as predict() takes them, or pictures of any size. */
export type ClassifyInput = Float32Array | Uint8Array | RgbaImage | readonly RgbaImage[];

export async function classify(model: Sequential, input: ClassifyInput, options: ClassifyOptions = {}): Promise<ClassScore[][]> {
  const classes = model.classes;
  if (classes === undefined) {
    const out = model.shapes[model.shapes.length - 1];
    throw new ConfigError('Sequential.classify', `the model's output has shape [${out.join(', ')}], not class scores`, 'classify needs a model whose output is [classes].');
  }
  const top = Math.min(positiveInt('Sequential.classify', 'top', options.top ?? 5), classes);
  const samples = input instanceof Float32Array || input instanceof Uint8Array ? input : picturesAsSamples(model, Array.isArray(input) ? input : [input as RgbaImage]);
  const output = await model.predict(samples, { batchSize: options.batchSize });
  const probabilities = model.layers[model.layers.length - 1].outputsProbabilities;
  const names = model.info.classes;
  const result: ClassScore[][] = [];
  for (let n = 0; n < output.shape[0]; n++) {
    const row = output.data.subarray(n * classes, (n + 1) * classes);
    const p = probabilities ? Float64Array.from(row) : softmax(row);
    // The most probable first; equal probabilities in class order, as a stable sort keeps them.
    const order = Array.from({ length: classes }, (_, i) => i).sort((a, b) => p[b] - p[a]);
    result.push(order.slice(0, top).map((index) => ({ className: names?.[index] ?? String(index), index, probability: p[index] })));
  }
  return result;
}

/** Pictures as the model's input bytes, [n, C, H, W], C being 1 or 3. */
function picturesAsSamples(model: Sequential, images: readonly RgbaImage[]): Uint8Array {
  const shape = model.shapes[0];
  const [channels, height, width] = shape;
  if (shape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new ShapeError('Sequential.classify', shape, 'a model of pictures, input [1 or 3, height, width], to classify RgbaImages');
  }
  const size = channels * height * width;
  const samples = new Uint8Array(images.length * size);
  images.forEach((image, n) => samples.set(imageToSample(image, { height, width, channels }, `picture ${n}`), n * size));
  return samples;
}

/** softmax(x) in float64, shifted by the largest score so no exponential overflows. */
export function softmax(scores: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  const out = Float64Array.from(scores, (s) => Math.exp(s - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / sum);
}
