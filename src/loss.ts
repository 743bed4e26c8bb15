// Softmax cross-entropy, mean over the batch (PyTorch's nn.CrossEntropyLoss), recorded on the GPU.
// Its small stats buffer (last loss, count, first non-finite) is what the host reads to report progress.
import type { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import type { BoundKernel } from './gpu/kernel';

export class SoftmaxCrossEntropy {
  private constructor(
    private readonly engine: Engine,
    private readonly batch: number,
    private readonly perSample: BoundKernel,
    private readonly mean: BoundKernel,
    /** { loss: f32, evaluations: u32, first_nonfinite: u32, pad } */
    readonly stats: GPUBuffer,
  ) {}

  static async create(memory: BufferGroup, label: string, batch: number, classes: number, logits: GPUBuffer, gradLogits: GPUBuffer, labels: GPUBuffer): Promise<SoftmaxCrossEntropy> {
    const engine = memory.engine;
    const [perSample, mean] = await Promise.all([
      engine.kernels.get('softmax_cross_entropy', 'per_sample'),
      engine.kernels.get('softmax_cross_entropy', 'mean'),
    ]);
    const sampleLoss = memory.createBuffer(`${label} per-sample loss`, batch * 4, GPUBufferUsage.STORAGE);
    const stats = memory.createBuffer(`${label} stats`, 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    const uniforms = { batch, classes };
    return new SoftmaxCrossEntropy(
      engine, batch,
      perSample.bind(memory, `${label} per sample`, { logits, labels, sample_loss: sampleLoss, grad_logits: gradLogits }, uniforms),
      mean.bind(memory, `${label} mean`, { sample_loss: sampleLoss, stats }, uniforms),
      stats,
    );
  }

  record(pass: GPUComputePassEncoder): void {
    this.perSample.record(pass, this.batch);
    this.mean.record(pass, 1);
  }

  /** The last loss and, if any loss was NaN or infinite, the 1-based count at which it first was. */
  async read(): Promise<{ loss: number; evaluations: number; firstNonFinite: number }> {
    const bytes = await this.engine.read(this.stats);
    const view = new DataView(bytes);
    return { loss: view.getFloat32(0, true), evaluations: view.getUint32(4, true), firstNonFinite: view.getUint32(8, true) };
  }

}
