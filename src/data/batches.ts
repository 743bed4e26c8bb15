// Batches gathered on the GPU: a sample order (set by the host once per epoch) and a cursor that the
// gather kernel advances, so recording a step needs no upload and no readback. With augmentation, a
// small kernel first draws each batch position's transform from the training clock, then the gather
// samples through it (shaders/gather_batch.wgsl); without, the gather is the plain copy.
import type { BufferGroup } from '../gpu/buffer_group';
import type { Engine } from '../gpu/engine';
import type { BoundKernel } from '../gpu/kernel';
import { isIdentity, type Augmentation } from './augment';
import type { Dataset } from './dataset';

/** Bytes of one `Transform` in gather_batch.wgsl: vec4f, vec2f, vec2i, u32, padded to 16. */
const TRANSFORM_BYTES = 48;

interface AugmentedGather {
  draw: BoundKernel;
  values: BoundKernel;
}

export class BatchStream {
  private constructor(
    private readonly memory: BufferGroup,
    readonly dataset: Dataset,
    readonly batch: number,
    private readonly values: GPUBuffer,
    private readonly order: GPUBuffer,
    private readonly cursor: GPUBuffer,
    private readonly gatherValues: BoundKernel,
    private readonly gatherLabels: BoundKernel,
  ) {}

  private get engine(): Engine {
    return this.memory.engine;
  }

  /** Binds the gather kernels to write batches of `batch` samples into `values` and `labels`. */
  static async create(memory: BufferGroup, dataset: Dataset, batch: number, values: GPUBuffer, labels: GPUBuffer): Promise<BatchStream> {
    const engine = memory.engine;
    const constants = gatherConstants(dataset);
    const [valuesKernel, labelsKernel] = await Promise.all([
      engine.kernels.get('gather_batch', 'values', constants),
      engine.kernels.get('gather_batch', 'labels', constants),
    ]);
    const label = `${dataset.name} batches of ${batch}`;
    const order = memory.createBuffer(`${label} order`, dataset.count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const cursor = memory.createBuffer(`${label} cursor`, 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const uniforms = gatherUniforms(dataset, batch, undefined);
    const { samples, normalization } = dataset;
    return new BatchStream(
      memory, dataset, batch, values, order, cursor,
      valuesKernel.bind(memory, `${label} gather values`, { samples, normalization, order, cursor, batch_values: values }, uniforms),
      labelsKernel.bind(memory, `${label} gather labels`, { sample_labels: dataset.labels, order, cursor, batch_labels: labels }, uniforms),
    );
  }

  /** Sets the sample order (a permutation, or 0..n−1) and rewinds to `start`. */
  setOrder(order: Uint32Array, start = 0): void {
    this.engine.write(this.order, 0, order);
    this.seek(start);
  }

  /** Moves the cursor to sample position `start` of the order. */
  seek(start: number): void {
    this.engine.write(this.cursor, 0, new Uint32Array([start]));
  }

  private augmented: AugmentedGather | undefined;
  /** Built once per variant (with or without the affine part), then reused with new ranges. */
  private readonly variants = new Map<boolean, Promise<AugmentedGather>>();
  private transforms: GPUBuffer | undefined;

  /**
   * Augments the following batches with `augment` (checked by checkAugment), drawn from `clock` ({ step,
   * seed }, read on the GPU); undefined turns augmentation off. Allocates only on a variant's first use.
   */
  async augment(augment: Augmentation | undefined, clock: GPUBuffer): Promise<void> {
    if (augment === undefined || isIdentity(augment)) {
      this.augmented = undefined;
      return;
    }
    const affine = augment.rotate !== 0 || augment.scale !== 0 || augment.translate !== 0;
    let variant = this.variants.get(affine);
    if (!variant) {
      variant = this.bindAugmented(affine, clock);
      this.variants.set(affine, variant);
    }
    const gather = await variant;
    const uniforms = gatherUniforms(this.dataset, this.batch, augment);
    gather.draw.writeUniforms(uniforms);
    gather.values.writeUniforms(uniforms);
    this.augmented = gather;
  }

  private async bindAugmented(affine: boolean, clock: GPUBuffer): Promise<AugmentedGather> {
    const constants = { ...gatherConstants(this.dataset), AFFINE: affine };
    const kernels = this.engine.kernels;
    const [draw, values] = await Promise.all([kernels.get('gather_batch', 'draw_transforms', constants), kernels.get('gather_batch', 'augmented_values', constants)]);
    const label = `${this.dataset.name} batches of ${this.batch}`;
    this.transforms ??= this.memory.createBuffer(`${label} augmentation transforms`, this.batch * TRANSFORM_BYTES, GPUBufferUsage.STORAGE);
    const transforms = this.transforms;
    const { samples, normalization } = this.dataset;
    const uniforms = gatherUniforms(this.dataset, this.batch, undefined);
    return {
      draw: draw.bind(this.memory, `${label} augmentation draws`, { clock, transforms }, uniforms),
      values: values.bind(this.memory, `${label} gather augmented values`, { samples, normalization, order: this.order, cursor: this.cursor, batch_values: this.values, transforms }, uniforms),
    };
  }

  record(pass: GPUComputePassEncoder): void {
    const values = this.batch * this.dataset.sampleSize;
    if (this.augmented) {
      this.augmented.draw.record(pass, this.batch);
      this.augmented.values.record(pass, values);
    } else {
      this.gatherValues.record(pass, values);
    }
    this.gatherLabels.record(pass, 1);
  }
}

function gatherConstants(dataset: Dataset): Record<string, number | boolean> {
  return { BYTES_PER_VALUE: dataset.bytesPerValue, NORMALIZE: dataset.normalize !== undefined };
}

/** gather_batch.wgsl's Params: the dataset's layout and the augmentation's ranges (zero without). */
function gatherUniforms(dataset: Dataset, batch: number, augment: Augmentation | undefined): Record<string, number> {
  const shape = dataset.sampleShape;
  const [height, width] = shape.length === 3 ? [shape[1], shape[2]] : [1, 1];
  return {
    batch,
    sample_size: dataset.sampleSize,
    scale: dataset.scale,
    plane: dataset.sampleSize / shape[0],
    height,
    width,
    pad: augment?.crop ?? 0,
    flip: augment?.flip ? 1 : 0,
    degrees: augment?.rotate ?? 0,
    zoom: augment?.scale ?? 0,
    // RandomAffine's largest shifts: translate × width across, translate × height down.
    max_dx: (augment?.translate ?? 0) * width,
    max_dy: (augment?.translate ?? 0) * height,
  };
}
