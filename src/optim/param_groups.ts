// Parameter groups, as torch.optim's param_groups reduce to here: a group picks parameters by a predicate
// over their layout entries (name, layer, spec) and overrides the optimizer's weight decay for them. The
// first group that claims a parameter wins; the rest keep the optimizer's default. The result is one f32
// per element of the parameter buffer, written once when the optimizer binds, so a step uploads nothing.
import type { BufferGroup } from '../gpu/buffer_group';
import { ConfigError } from '../gpu/errors';
import type { TensorEntry } from '../tensor_layout';
import { finite } from './optimizer';

export interface ParamGroup {
  /** Which parameters belong to the group, e.g. `(p) => p.name.endsWith('.bias')`. */
  params: (parameter: TensorEntry) => boolean;
  /** The group's weight decay (default: the optimizer's). */
  weightDecay?: number;
}

/** Checks the groups' settings up front, where the optimizer is constructed. */
export function checkGroups(where: string, groups: readonly ParamGroup[] | undefined): ParamGroup[] {
  return (groups ?? []).map((group, i) => {
    if (typeof group?.params !== 'function') {
      throw new ConfigError(where, `groups[${i}].params is ${typeof group?.params}`, 'Give a function from a parameter (name, layer, spec) to true when it belongs to the group.');
    }
    if (group.weightDecay !== undefined) finite(where, `groups[${i}].weightDecay`, group.weightDecay, 0, Infinity);
    return { ...group };
  });
}

/** The weight decay of every element of a `count`-float parameter buffer; the gaps between tensors get 0. */
export function weightDecayPerElement(parameters: readonly TensorEntry[], count: number, weightDecay: number, groups: readonly ParamGroup[]): Float32Array {
  const decay = new Float32Array(count);
  for (const parameter of parameters) {
    const group = groups.find((g) => g.params(parameter));
    decay.fill(group?.weightDecay ?? weightDecay, parameter.offset, parameter.offset + parameter.size);
  }
  return decay;
}

/** The per-element weight decay as a GPU buffer that the update kernel reads (written here, once). */
export function weightDecayBuffer(memory: BufferGroup, label: string, parameters: readonly TensorEntry[], count: number, weightDecay: number, groups: readonly ParamGroup[]): GPUBuffer {
  const buffer = memory.floats(label, count);
  memory.engine.write(buffer, 0, weightDecayPerElement(parameters, count, weightDecay, groups));
  return buffer;
}
