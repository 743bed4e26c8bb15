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
    readonly samples: GPUBuffer,
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
    checkBindingLimit(where, count, sampleSize * bytesPerValue, engine.device.limits.maxStorageBufferBindingSize);
    // Unused (but bound) without normalisation: the identity's table, or mean 0 and std 1.
    const stats = normalize ?? { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) };
    const normalization = bytesPerValue === 1 ? normalizationTable(scale, stats) : Float32Array.from(stats.mean.flatMap((mean, c) => [mean, stats.std[c]]));
    return new Dataset(
      engine, name, count, [...source.sampleShape], bytesPerValue, scale, normalize,
      engine.upload(`${name} samples`, source.samples),
      engine.upload(`${name} labels`, labels),
      maxLabel,
      labels,
      engine.upload(`${name} normalization`, normalization),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.release(this.samples);
    this.engine.release(this.labels);
    this.engine.release(this.normalization);
  }
}

/**
 * The gather binds all samples as one storage buffer, so they must fit one binding (128 MiB on lavapipe,
 * the adapter's maxStorageBufferBindingSize); a larger dataset is refused, naming the largest count that fits.
 */
export function checkBindingLimit(where: string, count: number, bytesPerSample: number, limit: number): void {
  // The order and labels (4 bytes a sample) are bound too; samples of fewer than 4 bytes make them the larger.
  const largest = Math.floor(limit / Math.max(bytesPerSample, 4));
  if (count > largest) throw new DatasetTooLargeError(where, count, count * Math.max(bytesPerSample, 4), limit, largest);
}
