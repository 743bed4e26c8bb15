// Batches gathered on the GPU: a sample order (set by the host once per epoch) and a cursor that the
// gather kernel advances, so recording a step needs no upload and no readback.
import type { BufferGroup } from '../gpu/buffer_group';
import type { Engine } from '../gpu/engine';
import type { BoundKernel } from '../gpu/kernel';
import type { Dataset } from './dataset';

export class BatchStream {
  private constructor(
    private readonly engine: Engine,
    readonly dataset: Dataset,
    readonly batch: number,
    private readonly order: GPUBuffer,
    private readonly cursor: GPUBuffer,
    private readonly gatherValues: BoundKernel,
    private readonly gatherLabels: BoundKernel,
  ) {}

  /** Binds the gather kernels to write batches of `batch` samples into `values` and `labels`. */
  static async create(memory: BufferGroup, dataset: Dataset, batch: number, values: GPUBuffer, labels: GPUBuffer): Promise<BatchStream> {
    const engine = memory.engine;
    const constants = { BYTES_PER_VALUE: dataset.bytesPerValue };
    const [valuesKernel, labelsKernel] = await Promise.all([
      engine.kernels.get('gather_batch', 'values', constants),
      engine.kernels.get('gather_batch', 'labels', constants),
    ]);
    const label = `${dataset.name} batches of ${batch}`;
    const order = memory.createBuffer(`${label} order`, dataset.count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const cursor = memory.createBuffer(`${label} cursor`, 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const uniforms = { batch, sample_size: dataset.sampleSize, scale: dataset.scale };
    return new BatchStream(
      engine, dataset, batch, order, cursor,
      valuesKernel.bind(memory, `${label} gather values`, { samples: dataset.samples, order, cursor, batch_values: values }, uniforms),
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

  record(pass: GPUComputePassEncoder): void {
    this.gatherValues.record(pass, this.batch * this.dataset.sampleSize);
    this.gatherLabels.record(pass, 1);
  }

}
