// Pixels (bytes, [n, C, H, W] back to back) as a model's input values: scaled to [0, 1] by 1/255 as
// Dataset.upload scales bytes, then, when the model has a normalisation (model.info.normalize), made
// (value − mean[c]) / std[c] per channel as torchvision's Normalize does. predict() and classify() take
// pixels through this one function, so a picture is prepared as the training data was.
//
// Merge point: the GPU gather's normalisation comes with a CPU twin, normalizeSample (src/images/), that
// matches it bit for bit; where both are in the tree, the normalised branch below calls it, so a picture
// gives predict() the very values training gave the model. Until then the value is computed in float64
// and rounded once.
import type { Normalization } from './model_info';

export function pixelsToValues(pixels: Uint8Array, sampleShape: readonly number[], normalize: Normalization | undefined): Float32Array {
  if (!normalize) return Float32Array.from(pixels, (v) => v / 255);
  const plane = sampleShape.slice(1).reduce((a, b) => a * b, 1);
  const channels = sampleShape[0];
  const values = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const c = Math.floor(i / plane) % channels;
    values[i] = (pixels[i] / 255 - normalize.mean[c]) / normalize.std[c];
  }
  return values;
}
