// A plan: every buffer one batch size needs (activations, their gradients, what the layers own),
// allocated once, with every layer's kernels bound to them. Recording a pass then only replays
// pipelines and bind groups that already exist.
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import type { BufferSlice, Stage } from './gpu/kernel';
import type { Activation, Fusion, Layer, RecordedLayer } from './layers/layer';

/** What a plan needs to know about the model. */
export interface PlannedLayer {
  layer: Layer;
  label: string;
  fusion: Fusion;
  params: Record<string, BufferSlice>;
  grads: Record<string, BufferSlice>;
}

export class Plan {
  private constructor(
    readonly memory: BufferGroup,
    readonly batch: number,
    readonly training: boolean,
    /** activations[0] is the batch input; activations[i + 1] is layer i's output. */
    readonly activations: readonly Activation[],
    readonly labels: GPUBuffer,
    private readonly recorded: readonly RecordedLayer[],
  ) {}

  static async build(engine: Engine, layers: readonly PlannedLayer[], shapes: readonly (readonly number[])[], batch: number, training: boolean): Promise<Plan> {
    const memory = new BufferGroup(engine);
    const size = (shape: readonly number[]) => batch * shape.reduce((a, b) => a * b, 1);
    const mode = training ? 'train' : 'eval';
    const input: Activation = { buffer: memory.floats(`input [${batch}, ${shapes[0].join(', ')}] (${mode})`, size(shapes[0])), shape: shapes[0] };
    const labels = memory.createBuffer(`labels [${batch}] (${mode})`, batch * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const activations: Activation[] = [input];
    const builds: Promise<RecordedLayer>[] = [];
    layers.forEach(({ layer, label, fusion, params, grads }, i) => {
      const current = activations[i];
      const shape = shapes[i + 1];
      const output: Activation = layer.inPlace
        ? { buffer: current.buffer, grad: current.grad, shape }
        : {
            buffer: memory.floats(`${label} output (${mode})`, size(shape)),
            grad: training ? memory.floats(`${label} output gradient`, size(shape)) : undefined,
            shape,
          };
      activations.push(output);
      builds.push(layer.build({ engine, memory, label, batch, input: current, output, params, grads, fusion, training }));
    });
    // Layers compile their pipelines concurrently.
    return new Plan(memory, batch, training, activations, labels, await Promise.all(builds));
  }

  /** The batch input buffer, [batch, ...inputShape]. */
  get input(): GPUBuffer {
    return this.activations[0].buffer;
  }

  get logits(): Activation {
    return this.activations[this.activations.length - 1];
  }

  forward(pass: GPUComputePassEncoder): void {
    for (const stage of this.forwardStages()) stage.record(pass);
  }

  backward(pass: GPUComputePassEncoder): void {
    for (const stage of this.backwardStages()) stage.record(pass);
  }

  /** Every dispatch of the forward pass, in order, so a profiler can time them one by one. */
  forwardStages(): Stage[] {
    return this.recorded.flatMap((layer) => layer.forward);
  }

  backwardStages(): Stage[] {
    return [...this.recorded].reverse().flatMap((layer) => layer.backward);
  }

  dispose(): void {
    this.memory.dispose();
  }
}
