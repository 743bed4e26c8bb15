// A labelled dataset uploaded to the GPU once: samples as bytes (as image files store them; scaled to
// floats, and normalised if asked, when a batch is gathered) or as f32, and labels as u32.
import type { Engine } from '../gpu/engine';
import { ConfigError, DatasetTooLargeError, ShapeError } from '../gpu/errors';
import { checkNormalization, normalizationTable, type Normalization } from './normalize';

export interface DatasetSource {
  /** All samples back to back, [count, ...sampleShape]. */
  samples: Uint8Array | Float32Array;
  /** One class index per sample. */
  labels: ArrayLike<number>;
  /** Per-sample shape, e.g. [1, 28, 28]. */
  sampleShape: readonly number[];
  /** Multiplies each value when a batch is gathered; defaults to 1/255 for bytes and 1 for floats. */
  scale?: number;
  /**
   * torchvision's Normalize(mean, std) after the scaling: value = (value × scale − mean[c]) / std[c], one
   * mean and std per channel c (sampleShape[0]), applied on the GPU to every batch of fit, evaluate and
   * augmentation alike. For bytes, normalizeSample() gives the same values on the CPU, bit for bit.
   */
  normalize?: Normalization;
  name?: string;
}

/** Samples first … first + count − 1, in one storage buffer (one binding of the gather). */
export interface SamplePart {
  buffer: GPUBuffer;
  first: number;
  count: number;
}

let datasets = 0;

export class Dataset {
  readonly sampleSize: number;
  /** Unique per upload: models cache what they bind to a dataset by this, not by its name, which may repeat. */
  readonly id = ++datasets;
  private disposed = false;

  private constructor(
    readonly engine: Engine,
    readonly name: string,
    readonly count: number,
    readonly sampleShape: readonly number[],
    readonly bytesPerValue: 1 | 4,
    readonly scale: number,
    /** The per-channel normalisation, if any (saved with a model so predictions prepare pictures alike). */
    readonly normalize: Normalization | undefined,
    /** The samples, in as many buffers as the adapter's binding size requires (usually one). */
    readonly sampleParts: readonly SamplePart[],
    readonly labels: GPUBuffer,
    /** The largest label, checked against the model's number of classes. */
    readonly maxLabel: number,
    /** The labels, kept on the CPU for people (predictions next to true labels). */
    readonly hostLabels: Uint32Array,
    /** What the gather reads to normalise: a table of 256 values per channel for bytes, (mean, std) per channel for floats. */
    readonly normalization: GPUBuffer,
  ) {
    this.sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  }

  /** Checks `source` and uploads it. Labels must be integers ≥ 0. */
  static upload(engine: Engine, source: DatasetSource): Dataset {
    return Dataset.uploadWithBindingLimit(engine, source, engine.device.limits.maxStorageBufferBindingSize);
  }

  /** @internal upload() with the largest binding, in bytes, given (tests split a small dataset with a small one). */
  static uploadWithBindingLimit(engine: Engine, source: DatasetSource, bindingLimit: number): Dataset {
    const name = source?.name ?? 'dataset';
    const where = `dataset "${name}"`;
    // Plain JavaScript callers get the same clear errors as typed ones, before any GPU work.
    if (!Array.isArray(source?.sampleShape)) {
      throw new ConfigError(where, `sampleShape is ${source?.sampleShape}`, 'Give the shape of one sample as an array, e.g. [1, 28, 28].');
    }
    if (typeof source.labels?.length !== 'number') {
      throw new ConfigError(where, `labels is ${source.labels}`, 'Give one class index per sample, as an array or a typed array.');
    }
    if (!(source.samples instanceof Uint8Array || source.samples instanceof Float32Array)) {
      throw new ConfigError(where, 'samples must be a Uint8Array or a Float32Array', 'Convert the samples to one of those.');
    }
    if (source.sampleShape.length === 0 || source.sampleShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(where, source.sampleShape, 'a per-sample shape of positive integers, e.g. [1, 28, 28]');
    }
    const sampleSize = source.sampleShape.reduce((a, b) => a * b, 1);
    const count = source.labels.length;
    if (count === 0 || source.samples.length !== count * sampleSize) {
      throw new ShapeError(where, [source.samples.length], `${count} labels × ${sampleSize} values per sample = ${count * sampleSize} values (and at least one sample)`);
    }
    const labels = new Uint32Array(count);
    let maxLabel = 0;
    for (let i = 0; i < count; i++) {
      const label = source.labels[i];
      if (!Number.isInteger(label) || label < 0) {
        throw new ConfigError(where, `label ${i} is ${label}`, 'Labels must be integers ≥ 0 (class indices).');
      }
      labels[i] = label;
      maxLabel = Math.max(maxLabel, label);
    }
    const bytesPerValue = source.samples instanceof Uint8Array ? 1 : 4;
    const scale = source.scale ?? (bytesPerValue === 1 ? 1 / 255 : 1);
    if (!Number.isFinite(scale)) throw new ConfigError(where, `scale is ${scale}`, 'scale must be a finite number.');
    const channels = source.sampleShape[0];
    const normalize = source.normalize === undefined ? undefined : checkNormalization(where, source.normalize, channels);
    const perPart = samplesPerBinding(where, count, sampleSize * bytesPerValue, bindingLimit);
    // Unused (but bound) without normalisation: the identity's table, or mean 0 and std 1.
    const stats = normalize ?? { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) };
    const normalization = bytesPerValue === 1 ? normalizationTable(scale, stats) : Float32Array.from(stats.mean.flatMap((mean, c) => [mean, stats.std[c]]));
    const parts: SamplePart[] = [];
    for (let first = 0; first < count; first += perPart) {
      const part = { first, count: Math.min(perPart, count - first) };
      const label = perPart >= count ? `${name} samples` : `${name} samples ${first}–${first + part.count - 1}`;
      parts.push({ ...part, buffer: engine.upload(label, source.samples.subarray(first * sampleSize, (first + part.count) * sampleSize)) });
    }
    return new Dataset(
      engine, name, count, [...source.sampleShape], bytesPerValue, scale, normalize,
      parts,
      engine.upload(`${name} labels`, labels),
      maxLabel,
      labels,
      engine.upload(`${name} normalization`, normalization),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const part of this.sampleParts) this.engine.release(part.buffer);
    this.engine.release(this.labels);
    this.engine.release(this.normalization);
  }
}

/**
 * How many samples one storage binding holds (the adapter's maxStorageBufferBindingSize: 128 MiB on
 * lavapipe): the gather binds the samples in parts of that many, one dispatch each. A sample larger than a
 * binding, or labels (4 bytes a sample, bound whole, as is the order) larger than one, are refused.
 */
export function samplesPerBinding(where: string, count: number, bytesPerSample: number, limit: number): number {
  // Buffers are made in multiples of 16 bytes, and bound whole.
  const usable = Math.floor(limit / 16) * 16;
  if (bytesPerSample > usable) throw new DatasetTooLargeError(where, 'one sample', bytesPerSample, limit, 0);
  if (count * 4 > usable) throw new DatasetTooLargeError(where, `the labels of ${count} samples`, count * 4, limit, usable / 4);
  return Math.floor(usable / bytesPerSample);
}
