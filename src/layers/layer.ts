// What a layer is: shape inference and parameter shapes (pure data, checked before any GPU work), and
// a build step that binds its kernels to the buffers the model planned, returning how to record its
// forward and backward passes.
import type { Engine } from '../gpu/engine';
import type { BufferGroup } from '../gpu/buffer_group';
import type { BufferSlice, Stage } from '../gpu/kernel';

/** A tensor the model planned: a buffer holding [batch, ...shape] floats, and its gradient if it has one. */
export interface Activation {
  buffer: GPUBuffer;
  /** Per-sample shape. */
  shape: readonly number[];
  grad?: GPUBuffer;
}

export interface ParameterSpec {
  /** PyTorch's name within the layer: "weight" or "bias". */
  name: string;
  shape: readonly number[];
  /** fan_in for PyTorch's default initialisation (uniform in ±1/√fan_in). */
  fanIn: number;
}

/** How the model fuses a layer with its neighbours (see Sequential). */
export interface Fusion {
  /** Conv2d and Linear: apply a following ReLU in the same kernel. */
  reluAfter: boolean;
  /** ReLU: the producing layer already applied it in its forward pass. */
  forwardDone: boolean;
  /** ReLU: the consuming layer applies its mask in its backward pass. */
  backwardDone: boolean;
  /** MaxPool2d: its input is a ReLU's output; apply the ReLU's backward mask. */
  maskInput: boolean;
}

export interface BuildContext {
  engine: Engine;
  /** Where the layer allocates what it owns (uniforms, pooling indices); freed with the plan. */
  memory: BufferGroup;
  /** "conv1.0 (Conv2d)": used in every buffer, bind-group and error label. */
  label: string;
  batch: number;
  input: Activation;
  output: Activation;
  params: Record<string, BufferSlice>;
  grads: Record<string, BufferSlice>;
  fusion: Fusion;
  /** False for evaluation plans: no backward pass is recorded. */
  training: boolean;
}

/** A layer's dispatches, bound to the plan's buffers: recorded in order (backward in reverse layer order). */
export interface RecordedLayer {
  forward: Stage[];
  backward: Stage[];
}

export abstract class Layer {
  abstract readonly kind: string;
  /** The prefix of this layer's parameter names ("conv1.0" → "conv1.0.weight"); defaults to its index. */
  name: string | undefined;
  /** In-place layers reuse their input's buffers (ReLU, Flatten). */
  readonly inPlace: boolean = false;

  constructor(name?: string) {
    this.name = name;
  }

  /** The per-sample output shape for a per-sample input shape; throws ShapeError or ConfigError. */
  abstract outputShape(input: readonly number[]): number[];

  parameters(_input: readonly number[]): ParameterSpec[] {
    return [];
  }

  /** FLOPs of the forward pass per sample (multiply-adds count 2), for benchmarks and progress. */
  forwardFlops(_input: readonly number[]): number {
    return 0;
  }

  abstract build(ctx: BuildContext): Promise<RecordedLayer>;
}
