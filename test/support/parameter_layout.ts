// A parameter layout with awkward sizes for tests of kernels that run over the whole parameter (or gradient)
// buffer: tensors of 1, 63, 1000 and 28938 elements (with biases of 1, 9, 1000 and 53), each on its aligned
// offset, so the buffer has gaps between tensors, as a model's has.
import { BatchNorm2d } from '../../src/layers/batchnorm2d';
import { Linear } from '../../src/layers/linear';
import { Random } from '../../src/random';
import { TensorLayout } from '../../src/tensor_layout';
import { randomArray } from './gpu';

export const awkwardLayout = new TensorLayout(
  [
    new Linear({ inFeatures: 1, outFeatures: 1, name: 'tiny' }),
    new Linear({ inFeatures: 7, outFeatures: 9, name: 'odd' }),
    new BatchNorm2d({ numFeatures: 1000, name: 'norm' }),
    new Linear({ inFeatures: 546, outFeatures: 53, name: 'wide' }),
  ],
  [[1], [7], [1000, 1, 1], [546]],
);

/** Random values in every parameter of `layout` and 0 in the gaps, as a model's gradient buffer holds them. */
export function onParameters(random: Random, layout: TensorLayout = awkwardLayout): Float32Array {
  const values = new Float32Array(layout.parameterWords);
  for (const e of layout.parameters) values.set(randomArray(random, e.size), e.offset);
  return values;
}
