// Predicted classes and a running count of correct ones, on the GPU; the host reads back only the count
// (and the predictions when a person asks for them).
import type { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import type { BoundKernel } from './gpu/kernel';

export class AccuracyCounter {
  private constructor(
    private readonly engine: Engine,
    private readonly batch: number,
    private readonly argmax: BoundKernel,
    private readonly count: BoundKernel,
    readonly predictions: GPUBuffer,
    readonly correct: GPUBuffer,
  ) {}

  static async create(memory: BufferGroup, label: string, batch: number, classes: number, logits: GPUBuffer, labels: GPUBuffer): Promise<AccuracyCounter> {
    const engine = memory.engine;
    const [argmax, count] = await Promise.all([engine.kernels.get('accuracy', 'argmax'), engine.kernels.get('accuracy', 'count')]);
    const predictions = memory.createBuffer(`${label} predictions`, batch * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const correct = memory.createBuffer(`${label} correct`, 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    const uniforms = { batch, classes };
    return new AccuracyCounter(
      engine, batch,
      argmax.bind(memory, `${label} argmax`, { logits, predictions }, uniforms),
      count.bind(memory, `${label} count`, { predictions, labels, correct }, uniforms),
      predictions,
      correct,
    );
  }

  reset(): void {
    this.engine.write(this.correct, 0, new Uint32Array([0]));
  }

  record(pass: GPUComputePassEncoder): void {
    this.argmax.record(pass, this.batch);
    this.count.record(pass, 1);
  }

  async readCorrect(): Promise<number> {
    return new Uint32Array(await this.engine.read(this.correct))[0];
  }

}
