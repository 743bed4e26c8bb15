// The layer contract, the engine's extension point. A layer is pure data until it is built: it infers its
// output shape, declares its tensors (trained parameters and persistent buffers, with their initialisers),
// and says which neighbouring element-wise work it can absorb. The model derives everything else from
// those declarations: the memory layout, the initial values, what the optimizer updates, the names in
// weight files and checkpoints, and the fusion. build() then binds the layer's kernels to the buffers the
// model planned and returns the dispatches of its forward and backward passes.
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

/** How a tensor starts: uniform in ±bound (PyTorch's default for weights and biases), or a constant. */
export type Initializer = { kind: 'uniform'; bound: number } | { kind: 'constant'; value: number };

/** PyTorch's default for Conv2d and Linear: kaiming-uniform with a = √5, i.e. uniform in ±1/√fan_in. */
export function uniformFanIn(fanIn: number): Initializer {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}

export interface TensorSpec {
  /** PyTorch's name within the layer: "weight", "bias", "running_mean", … */
  name: string;
  shape: readonly number[];
  init: Initializer;
  /** 'parameter': trained (has a gradient, the optimizer updates it); 'buffer': persistent state (BatchNorm's running statistics). */
  role: 'parameter' | 'buffer';
  /** 'f32' (default), or 'i64' for integer buffers that must count exactly (num_batches_tracked), stored as two u32 words. */
  dtype?: 'f32' | 'i64';
}

/** Which neighbouring work a layer does for its neighbours, derived by the model from their declarations. */
export interface Fusion {
  /** This layer applies the following layer's activation (e.g. "relu", "gelu") in its own forward kernel. */
  activationAfter: string | undefined;
  /** That activation's options (its layer's activationOptions()). */
  activationOptions: Readonly<Record<string, number>>;
  /**
   * Where this layer writes the activated values: undefined for an in-place activation (ReLU), whose output
   * is this layer's; else the activation's own output, while this layer's output keeps the
   * pre-activation, which the activation's backward pass reads.
   */
  activated: Activation | undefined;
  /** An activation layer: the layer before it already applied it in its forward pass. */
  forwardDone: boolean;
  /** An activation layer: the layer after it applies its backward mask. */
  backwardDone: boolean;
  /** This layer's input is the output of this activation, whose backward mask it applies to its input gradient. */
  maskInput: string | undefined;
}

export const NO_FUSION: Fusion = { activationAfter: undefined, activationOptions: {}, activated: undefined, forwardDone: false, backwardDone: false, maskInput: undefined };

/** A chain of layers built one after the other (a model, or the inside of a container such as Residual). */
export interface Chain {
  /** activations[0] is the chain's input; activations[i + 1] is layer i's output. */
  activations: Activation[];
  forward: Stage[];
  /** In the order to record: the last layer's backward first. */
  backward: Stage[];
}

export interface BuildContext {
  engine: Engine;
  /** Where the layer allocates what it owns (uniforms, pooling indices, saved statistics); freed with the plan. */
  memory: BufferGroup;
  /** "features.0 (Conv2d)": used in every buffer, bind-group and error label. */
  label: string;
  batch: number;
  input: Activation;
  output: Activation;
  /** The layer's tensors by name, as ranges of the model's buffers (parameters and their gradients are f32; buffers are 4-byte words). */
  params: Record<string, BufferSlice>;
  grads: Record<string, BufferSlice>;
  buffers: Record<string, BufferSlice>;
  fusion: Fusion;
  /** False for evaluation plans: no backward pass is recorded, and layers behave as in PyTorch's eval(). */
  training: boolean;
  /**
   * The training clock: struct { step: u32, seed: u32 }, the model's step count (incremented on the GPU at
   * the start of every training step) and the run's seed. Per-step values (Dropout's stream) derive from it,
   * so that a step needs no write from the host.
   */
  clock: GPUBuffer;
  /** Builds `layers` as a chain from `input` (for containers): plans each output, fuses neighbours, builds each. */
  chain(layers: readonly Layer[], input: Activation): Promise<Chain>;
}

/** A layer's dispatches, bound to the plan's buffers: recorded in order (backward in reverse layer order). */
export interface RecordedLayer {
  forward: Stage[];
  backward: Stage[];
}

export abstract class Layer {
  abstract readonly kind: string;
  /** The prefix of this layer's tensor names ("features.0" → "features.0.weight"); defaults to its index. */
  name: string | undefined;
  /**
   * In-place layers reuse their input's buffers: their output is their input (ReLU overwrites it, Flatten
   * only reshapes), and their output gradient is their input gradient.
   */
  readonly inPlace: boolean = false;
  /** The element-wise activation this layer is ("relu", "gelu", …), so that neighbours can absorb it; undefined for others. */
  readonly activation: string | undefined = undefined;
  /** Activations this layer can apply to its own output in its forward kernel (see src/layers/activation_functions.ts). */
  readonly fusesActivationAfter: readonly string[] = [];
  /** Activations whose backward mask this layer can apply to its input gradient when its input is their output. */
  readonly fusesMaskBefore: readonly string[] = [];
  /**
   * The layer turns scores into probabilities (Softmax): a model ending in it is for predict, since fit
   * applies softmax cross-entropy to the model's output, which must be the logits.
   */
  readonly outputsProbabilities: boolean = false;

  constructor(name?: string) {
    this.name = name;
  }

  /** The per-sample output shape for a per-sample input shape; throws ShapeError or ConfigError. */
  abstract outputShape(input: readonly number[]): number[];

  /** The options of the activation this layer is, as a layer that absorbs it applies them (LeakyReLU's negative_slope, ELU's alpha). */
  activationOptions(): Record<string, number> {
    return {};
  }

  /** The layer's own tensors for a per-sample input shape (none by default). */
  tensors(_input: readonly number[]): TensorSpec[] {
    return [];
  }

  /** Layers inside this one (a container's), with their per-sample input shapes; their names nest under this layer's. */
  children(_input: readonly number[]): Array<{ layer: Layer; input: readonly number[] }> {
    return [];
  }

  /** FLOPs of the forward pass per sample (multiply-adds count 2), for benchmarks and progress. */
  forwardFlops(_input: readonly number[]): number {
    return 0;
  }

  /** "Conv2d "features.0"": how errors name the layer. */
  protected where(): string {
    return `${this.kind}${this.name ? ` "${this.name}"` : ''}`;
  }

  abstract build(ctx: BuildContext): Promise<RecordedLayer>;
}
