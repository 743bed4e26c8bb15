// The parameter layout: every layer's tensors in one contiguous buffer (so one optimizer dispatch updates
// them all), each starting on a 256-byte boundary because storage bindings must be aligned that way.
import type { Layer, ParameterSpec } from './layers/layer';
import { Random } from './random';

/** WebGPU's minStorageBufferOffsetAlignment is at most 256 bytes on every adapter. */
const ALIGN_FLOATS = 64;

export interface ParameterEntry {
  /** PyTorch's state_dict name: "conv1.0.weight". */
  name: string;
  layerIndex: number;
  spec: ParameterSpec;
  /** Offset in floats within the parameter buffer. */
  offset: number;
  size: number;
}

export function layoutParameters(layers: readonly Layer[], prefixes: readonly string[], shapes: readonly (readonly number[])[]): { entries: ParameterEntry[]; floats: number } {
  const entries: ParameterEntry[] = [];
  let offset = 0;
  layers.forEach((layer, i) => {
    for (const spec of layer.parameters(shapes[i])) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      entries.push({ name: `${prefixes[i]}.${spec.name}`, layerIndex: i, spec, offset, size });
      offset += Math.ceil(size / ALIGN_FLOATS) * ALIGN_FLOATS;
    }
  });
  return { entries, floats: Math.max(offset, ALIGN_FLOATS) };
}

/**
 * PyTorch's default initialisation for Conv2d and Linear: weights kaiming-uniform with a = √5, which is
 * uniform in ±1/√fan_in, and biases uniform in ±1/√fan_in; drawn from a seeded generator.
 */
export function initialParameters(entries: readonly ParameterEntry[], floats: number, seed: number): Float32Array {
  const values = new Float32Array(floats);
  const random = new Random(seed);
  for (const { spec, offset, size } of entries) {
    const bound = 1 / Math.sqrt(spec.fanIn);
    for (let i = 0; i < size; i++) values[offset + i] = random.uniform(-bound, bound);
  }
  return values;
}
