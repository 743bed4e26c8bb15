// Per-channel normalisation, as torchvision's ToTensor() then Normalize(mean, std): applied to every batch
// on the GPU by the gather kernel (shaders/gather_batch.wgsl), after `scale` and after any augmentation.
//
// For byte samples the GPU does no arithmetic: it looks each byte up in a table of 256 values per channel
// computed here, in f32, in this order (each step rounded to f32, as PyTorch's f32 tensors round):
//   value = (f32(byte) × f32(scale) − f32(mean[c])) / f32(std[c])
// so normalizeSample() below reproduces the GPU's tensors bit for bit on every adapter (a GPU may fuse a
// multiply and a subtraction, or divide approximately; a table leaves it nothing to round). Float samples
// are normalised by the same formula on the GPU, where it is as exact as the adapter's f32 arithmetic.
import { ConfigError, ShapeError } from '../gpu/errors';

/** torchvision.transforms.Normalize's mean and std: one value per channel (the sample shape's first dimension). */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** Checks `normalize` for `channels` channels and returns a copy; a ConfigError names what is wrong. */
export function checkNormalization(where: string, normalize: unknown, channels: number): Normalization {
  const given = normalize as Partial<Normalization> | null;
  if (typeof given !== 'object' || given === null) {
    throw new ConfigError(where, `normalize is ${String(normalize)}`, `Give { mean, std } with ${channels} numbers each (one per channel).`);
  }
  const values = (key: 'mean' | 'std'): number[] => {
    const list = given[key];
    if (!Array.isArray(list) || list.length !== channels) {
      const got = Array.isArray(list) ? `${list.length} values` : String(list);
      throw new ConfigError(where, `normalize.${key} is ${got}`, `Give ${channels} numbers, one per channel (the sample shape's first dimension).`);
    }
    return list.map((v, c) => {
      const valid = typeof v === 'number' && Number.isFinite(v) && (key === 'mean' || v > 0);
      if (!valid) throw new ConfigError(where, `normalize.${key}[${c}] is ${String(v)}`, key === 'mean' ? 'Each mean must be a finite number.' : 'Each std must be a finite number > 0.');
      return v;
    });
  };
  return { mean: values('mean'), std: values('std') };
}

/** The f32 value each byte of each channel becomes: [channels × 256], in the order the header states. */
export function normalizationTable(scale: number, normalize: Normalization): Float32Array {
  const f = Math.fround;
  const channels = normalize.mean.length;
  const table = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    const mean = f(normalize.mean[c]);
    const std = f(normalize.std[c]);
    for (let byte = 0; byte < 256; byte++) table[c * 256 + byte] = f(f(f(byte * f(scale)) - mean) / std);
  }
  return table;
}

/**
 * Byte samples [n, ...shape] as the GPU gathers them for a dataset with this `scale` and `normalize`
 * (bit for bit): for predictions on pictures prepared like the training set.
 */
export function normalizeSample(bytes: Uint8Array, shape: readonly number[], scale: number, normalize: Normalization): Float32Array {
  const where = 'normalizeSample';
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || !(size > 0) || bytes.length % size !== 0) {
    throw new ShapeError(where, [bytes.length], `a multiple of ${size} bytes ([n, ${shape.join(', ')}])`);
  }
  if (!Number.isFinite(scale)) throw new ConfigError(where, `scale is ${scale}`, 'scale must be a finite number (1/255 for pixels).');
  const table = normalizationTable(scale, checkNormalization(where, normalize, shape[0]));
  const plane = size / shape[0];
  return Float32Array.from(bytes, (byte, k) => table[Math.floor((k % size) / plane) * 256 + byte]);
}
