// Pixels (bytes, [n, C, H, W] back to back) as a model's input values: scaled to [0, 1] by 1/255 as
// Dataset.upload scales bytes, then, when the model has a normalisation (model.info.normalize), made
// (value − mean[c]) / std[c] per channel by normalizeSample, exactly as the GPU gather normalises a byte
// dataset with that normalisation. predict() and classify() take pixels through this one function, so a
// picture is prepared as the training data was.
import { normalizeSample, type Normalization } from './data/normalize';

export function pixelsToValues(pixels: Uint8Array, sampleShape: readonly number[], normalize: Readonly<Normalization> | undefined): Float32Array {
  if (!normalize) return Float32Array.from(pixels, (v) => v / 255);
  return normalizeSample(pixels, sampleShape, 1 / 255, { mean: [...normalize.mean], std: [...normalize.std] });
}
