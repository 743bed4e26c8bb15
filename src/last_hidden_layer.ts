// The model's last hidden layer: the layer whose output is the input of the last Linear. Its output is
// what a classifier's head separates linearly, so a 2-D map of it (the tutorial's t-SNE plot) shows how
// well the network has pulled the classes apart. Found from the layers, not from a fixed index, so that it
// works for any network: the reference CNN's Flatten (1568 values), the small ResNet's pooled features (64).
import { ConfigError } from './gpu/errors';
import { Linear } from './layers/linear';
import type { Layer } from './layers/layer';
import type { Sequential } from './model';

export interface HiddenLayer {
  /** Its index in `model.layers`: give it to `model.predict(samples, { layer })`. */
  index: number;
  name: string;
  /** Its per-sample output shape, e.g. [1568]. */
  shape: readonly number[];
}

/** The layer whose output feeds the model's last Linear; throws ConfigError when there is none that predict() can return. */
export function lastHiddenLayer(model: Sequential): HiddenLayer {
  const where = 'lastHiddenLayer';
  const layers = model.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer instanceof Linear) {
      if (i === 0) throw new ConfigError(where, `the last Linear, "${layer.name}", is the model's first layer`, 'Its input is the model\'s input, not a hidden layer; the model needs a layer before its last Linear.');
      return { index: i - 1, name: layers[i - 1].name!, shape: model.shapes[i] };
    }
    const nested = lastLinearInside(layer, model.shapes[i]);
    if (nested !== undefined) {
      throw new ConfigError(
        where,
        `the last Linear, "${layer.name}.${nested}", is inside ${layer.kind} "${layer.name}"`,
        'Its input is not the output of one of the model\'s layers, which is what predict() can return; end the model with a Linear of its own.',
      );
    }
  }
  throw new ConfigError(where, 'the model has no Linear layer', `Its layers are ${layers.map((l) => `${l.name} (${l.kind})`).join(', ')}; a hidden layer is the input of the last Linear.`);
}

/** The name (under the container's) of the last Linear among the layers inside a container, if any. */
function lastLinearInside(layer: Layer, input: readonly number[]): string | undefined {
  const children = layer.children(input);
  for (let i = children.length - 1; i >= 0; i--) {
    const { layer: child, input: childInput } = children[i];
    if (child instanceof Linear) return child.name;
    const deeper = lastLinearInside(child, childInput);
    if (deeper !== undefined) return `${child.name}.${deeper}`;
  }
  return undefined;
}
