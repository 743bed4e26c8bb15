// Where every tensor a model's layers declare lives: trained parameters in one contiguous f32 buffer (so one
// optimizer dispatch updates them all, and the gradients mirror it), persistent buffers (running statistics,
// counters) in a second buffer of 4-byte words. Each tensor starts on a 256-byte boundary, because storage
// bindings must be aligned that way. Names nest as PyTorch's state_dict keys do: "block.0.weight".
import { ConfigError } from './gpu/errors';
import type { BufferSlice } from './gpu/kernel';
import type { Layer, TensorSpec } from './layers/layer';
import { Random } from './random';

/** WebGPU's minStorageBufferOffsetAlignment is at most 256 bytes on every adapter. */
const ALIGN_WORDS = 64;

export interface TensorEntry {
  /** PyTorch's state_dict name: "features.1.running_mean". */
  name: string;
  layer: Layer;
  spec: TensorSpec;
  /** Offset in 4-byte words within its buffer (the parameter buffer or the buffer of buffers). */
  offset: number;
  /** Elements (an i64 element takes two words). */
  size: number;
  /** 4-byte words. */
  words: number;
}

export interface LayerTensors {
  params: Record<string, BufferSlice>;
  grads: Record<string, BufferSlice>;
  buffers: Record<string, BufferSlice>;
}

export class TensorLayout {
  readonly parameters: TensorEntry[] = [];
  readonly buffers: TensorEntry[] = [];
  /** Every layer's full name ("block.0"). */
  readonly names = new Map<Layer, string>();
  parameterWords = 0;
  bufferWords = 0;

  /** Walks `layers` (and the layers inside them) with their per-sample input shapes. */
  constructor(layers: readonly Layer[], shapes: readonly (readonly number[])[]) {
    layers.forEach((layer, i) => this.add(layer, layer.name!, shapes[i]));
    // WebGPU refuses zero-sized bindings; a model without parameters or buffers still gets one aligned block.
    this.parameterWords = Math.max(this.parameterWords, ALIGN_WORDS);
    this.bufferWords = Math.max(this.bufferWords, ALIGN_WORDS);
  }

  private add(layer: Layer, name: string, input: readonly number[]): void {
    if (this.names.has(layer)) {
      throw new ConfigError('Sequential', `the layer object named "${this.names.get(layer)}" is used twice`, 'Create a new layer for every place in the model (layers own their tensors).');
    }
    this.names.set(layer, name);
    for (const spec of layer.tensors(input)) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const words = size * (spec.dtype === 'i64' ? 2 : 1);
      if (spec.dtype === 'i64' && spec.role === 'parameter') throw new ConfigError(this.where(layer), `parameter "${spec.name}" is i64`, 'Trained parameters are f32; integer tensors must be buffers.');
      if (spec.role === 'buffer' && spec.init.kind !== 'constant') throw new ConfigError(this.where(layer), `buffer "${spec.name}" has a random initialiser`, 'Buffers start as constants.');
      const list = spec.role === 'parameter' ? this.parameters : this.buffers;
      const offset = spec.role === 'parameter' ? this.parameterWords : this.bufferWords;
      list.push({ name: `${name}.${spec.name}`, layer, spec, offset, size, words });
      const end = offset + Math.ceil(words / ALIGN_WORDS) * ALIGN_WORDS;
      if (spec.role === 'parameter') this.parameterWords = end;
      else this.bufferWords = end;
    }
    layer.children(input).forEach(({ layer: child, input: childInput }, i) => {
      child.name ??= String(i);
      this.add(child, `${name}.${child.name}`, childInput);
    });
  }

  private where(layer: Layer): string {
    return `${layer.kind} "${this.names.get(layer)}"`;
  }

  /** Every tensor, parameters first. */
  get entries(): TensorEntry[] {
    return [...this.parameters, ...this.buffers];
  }

  /**
   * The initial values: PyTorch's per-layer defaults, drawn in layer order from a seeded generator (uniform
   * initialisers draw, constants do not). i64 constants are written as two little-endian words.
   */
  initialValues(seed: number): { params: Float32Array; buffers: Uint32Array } {
    const params = new Float32Array(this.parameterWords);
    const buffers = new Uint32Array(this.bufferWords);
    const floatBuffers = new Float32Array(buffers.buffer);
    const random = new Random(seed);
    for (const { spec, offset, size } of this.parameters) {
      const init = spec.init;
      for (let i = 0; i < size; i++) params[offset + i] = init.kind === 'uniform' ? random.uniform(-init.bound, init.bound) : init.value;
    }
    for (const { spec, offset, size } of this.buffers) {
      const value = spec.init.kind === 'constant' ? spec.init.value : 0;
      for (let i = 0; i < size; i++) {
        if (spec.dtype === 'i64') {
          buffers[offset + 2 * i] = value >>> 0;
          buffers[offset + 2 * i + 1] = Math.floor(value / 2 ** 32) >>> 0;
        } else {
          floatBuffers[offset + i] = value;
        }
      }
    }
    return { params, buffers };
  }

  /** `layer`'s tensors as ranges of the model's parameter, gradient and buffer GPU buffers. */
  slicesFor(layer: Layer, params: GPUBuffer, grads: GPUBuffer, buffers: GPUBuffer): LayerTensors {
    const slice = (buffer: GPUBuffer, e: TensorEntry) => [e.spec.name, { buffer, offset: e.offset * 4, size: e.words * 4 }] as const;
    const own = (list: TensorEntry[]) => list.filter((e) => e.layer === layer);
    return {
      params: Object.fromEntries(own(this.parameters).map((e) => slice(params, e))),
      grads: Object.fromEntries(own(this.parameters).map((e) => slice(grads, e))),
      buffers: Object.fromEntries(own(this.buffers).map((e) => slice(buffers, e))),
    };
  }
}
