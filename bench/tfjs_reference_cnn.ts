// The reference network (README, design.md) in TensorFlow.js layers, to time TF.js training the same
// work: Conv2D(16, 5×5, same) + ReLU → MaxPool 2×2 → Conv2D(32, 5×5, same) + ReLU → MaxPool 2×2 →
// Flatten → Dense(10) logits. TF.js is channels-last (NHWC); the FLOPs and parameters are the same.
import * as tf from '@tensorflow/tfjs';

export function tfjsReferenceCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}
