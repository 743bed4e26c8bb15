// A plan: every buffer one batch size needs (activations, their gradients, what the layers own),
// allocated once, with every layer's kernels bound to them. Recording a pass then only replays
// pipelines and bind groups that already exist. Chains of layers (the model, and the inside of a
// container layer) are planned by one function, which also derives the fusion from the layers' declarations.
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import type { Stage } from './gpu/kernel';
import { NO_FUSION, type Activation, type Chain, type Fusion, type Layer } from './layers/layer';
import type { LayerTensors } from './tensor_layout';

/** What planning needs to know about the model: where each layer's tensors live, and how to name it. */
export interface ModelTensors {
  tensorsOf(layer: Layer): LayerTensors;
  /** "features.0 (Conv2d)". */
  labelOf(layer: Layer): string;
  /** The training clock (see BuildContext.clock). */
  clock: GPUBuffer;
}

/** Which neighbouring work each layer of a chain takes over, from what the layers declare. */
export function fuse(layers: readonly Layer[]): Fusion[] {
  const fusions = layers.map(() => ({ ...NO_FUSION }));
  layers.forEach((layer, i) => {
    const next = layers[i + 1];
    if (next?.activation !== undefined && layer.fusesActivationAfter.includes(next.activation)) {
      fusions[i].activationAfter = next.activation;
      fusions[i].activationOptions = next.activationOptions();
      fusions[i + 1].forwardDone = true;
    }
    const previous = layers[i - 1];
    if (previous?.activation !== undefined && layer.fusesMaskBefore.includes(previous.activation)) {
      fusions[i].maskInput = previous.activation;
      fusions[i - 1].backwardDone = true;
    }
  });
  return fusions;
}

interface Planning {
  engine: Engine;
  memory: BufferGroup;
  batch: number;
  training: boolean;
  /** False: no layer absorbs its neighbours' work (SequentialOptions.fusion). */
  fusion: boolean;
  model: ModelTensors;
}

/** Plans and builds `layers` one after the other from `input`; layers compile their pipelines concurrently. */
async function buildChain(planning: Planning, layers: readonly Layer[], input: Activation): Promise<Chain> {
  const { engine, memory, batch, training, model } = planning;
  const mode = training ? 'train' : 'eval';
  const size = (shape: readonly number[]) => batch * shape.reduce((a, b) => a * b, 1);
  const fusions = planning.fusion ? fuse(layers) : layers.map(() => ({ ...NO_FUSION }));
  const activations: Activation[] = [input];
  layers.forEach((layer, i) => {
    const current = activations[i];
    const shape = layer.outputShape(current.shape);
    const label = model.labelOf(layer);
    activations.push(layer.inPlace
      ? { buffer: current.buffer, grad: current.grad, shape }
      : {
          buffer: memory.floats(`${label} output (${mode})`, size(shape)),
          grad: training ? memory.floats(`${label} output gradient`, size(shape)) : undefined,
          shape,
        });
  });
  const builds = layers.map((layer, i) => {
    // An absorbed activation that is not in place has its values written by this layer (Fusion.activated).
    const fusion = fusions[i].activationAfter !== undefined && !layers[i + 1].inPlace ? { ...fusions[i], activated: activations[i + 2] } : fusions[i];
    return layer.build({
      engine, memory, label: model.labelOf(layer), batch, input: activations[i], output: activations[i + 1], ...model.tensorsOf(layer), fusion, training,
      clock: model.clock,
      chain: (inner, innerInput) => buildChain(planning, inner, innerInput),
    });
  });
  const recorded = await Promise.all(builds);
  return {
    activations,
    forward: recorded.flatMap((r) => r.forward),
    backward: [...recorded].reverse().flatMap((r) => r.backward),
  };
}

export class Plan {
  private constructor(
    readonly memory: BufferGroup,
    readonly batch: number,
    readonly training: boolean,
    private readonly chain: Chain,
    readonly labels: GPUBuffer,
  ) {}

  static async build(engine: Engine, model: ModelTensors, layers: readonly Layer[], inputShape: readonly number[], batch: number, training: boolean, fusion = true): Promise<Plan> {
    const memory = new BufferGroup(engine);
    const mode = training ? 'train' : 'eval';
    const input: Activation = { buffer: memory.floats(`input [${batch}, ${inputShape.join(', ')}] (${mode})`, batch * inputShape.reduce((a, b) => a * b, 1)), shape: inputShape };
    const labels = memory.createBuffer(`labels [${batch}] (${mode})`, batch * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    try {
      return new Plan(memory, batch, training, await buildChain({ engine, memory, batch, training, fusion, model }, layers, input), labels);
    } catch (e) {
      memory.dispose();
      throw e;
    }
  }

  /** activations[0] is the batch input; activations[i + 1] is layer i's output. */
  get activations(): readonly Activation[] {
    return this.chain.activations;
  }

  /** The batch input buffer, [batch, ...inputShape]. */
  get input(): GPUBuffer {
    return this.chain.activations[0].buffer;
  }

  /** The model's output (logits for a classifier). */
  get output(): Activation {
    return this.chain.activations[this.chain.activations.length - 1];
  }

  forward(pass: GPUComputePassEncoder): void {
    for (const stage of this.chain.forward) stage.record(pass);
  }

  /** Every dispatch of the forward pass, in order, so a profiler can time them one by one. */
  forwardStages(): Stage[] {
    return this.chain.forward;
  }

  backwardStages(): Stage[] {
    return this.chain.backward;
  }

  dispose(): void {
    this.memory.dispose();
  }
}
