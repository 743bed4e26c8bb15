// lastHiddenLayer finds the input of the last Linear from the layers: predict() of that layer, times the
// Linear's weights plus its bias (in float64), gives the model's logits, for the reference CNN (its Flatten)
// and the small ResNet (the Dropout after its pooled features, the identity in evaluation). Models whose last
// Linear has no such input get a ConfigError that says why.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/gpu/errors';
import { lastHiddenLayer } from '../src/last_hidden_layer';
import { Flatten } from '../src/layers/flatten';
import { Linear } from '../src/layers/linear';
import { ReLU } from '../src/layers/relu';
import { Residual } from '../src/layers/residual';
import { Sequential } from '../src/model';
import { Random } from '../src/random';
import { referenceCnn } from '../src/reference_cnn';
import { smallResNet } from '../src/small_resnet';
import { expectClose } from './support/compare';
import { testEngine } from './support/gpu';

const SAMPLES = 5;

describe('lastHiddenLayer', () => {
  it.each([
    ['reference CNN', referenceCnn, { index: 6, name: 'flatten', shape: [1568] }, 'out'],
    ['small ResNet', smallResNet, { index: 14, name: 'head.6', shape: [64] }, 'head.7'],
  ] as const)('finds the input of the last Linear of the %s, and predict() returns it', async (_, build, expected, head) => {
    const engine = await testEngine();
    const model = build(engine, { seed: 4 });
    try {
      const hidden = lastHiddenLayer(model);
      expect(hidden).toEqual(expected);
      const random = new Random(9);
      const samples = Uint8Array.from({ length: SAMPLES * 784 }, () => random.below(256));
      const features = await model.predict(samples, { layer: hidden.index });
      expect(features.shape).toEqual([SAMPLES, ...expected.shape]);
      const logits = await model.predict(samples);
      const params = await model.getParameters();
      const [weight, bias] = [params.get(`${head}.weight`)!, params.get(`${head}.bias`)!];
      const [classes, inputs] = weight.shape;
      const reference = Float64Array.from({ length: SAMPLES * classes }, (_, k) => {
        const [s, c] = [Math.floor(k / classes), k % classes];
        let sum = bias.data[c];
        for (let i = 0; i < inputs; i++) sum += weight.data[c * inputs + i] * features.data[s * inputs + i];
        return sum;
      });
      expectClose(`${head}(hidden features)`, logits.data, reference);
    } finally {
      await model.dispose();
    }
  });

  it('refuses models whose last Linear has no hidden layer before it that predict() can return', async () => {
    const engine = await testEngine();
    const cases: Array<[Sequential, RegExp]> = [
      [new Sequential(engine, [new Flatten({ name: 'flat' }), new ReLU({ name: 'relu' })], { inputShape: [2, 2] }), /the model has no Linear layer.*flat \(Flatten\), relu \(ReLU\)/],
      [new Sequential(engine, [new Linear({ name: 'only', inFeatures: 4, outFeatures: 2 })], { inputShape: [4] }), /the last Linear, "only", is the model's first layer/],
      [
        new Sequential(engine, [new Linear({ name: 'first', inFeatures: 4, outFeatures: 4 }), new Residual({ name: 'res', block: [new Linear({ name: 'inner', inFeatures: 4, outFeatures: 4 })] })], { inputShape: [4] }),
        /the last Linear, "res.inner", is inside Residual "res"/,
      ],
    ];
    for (const [model, message] of cases) {
      try {
        expect(() => lastHiddenLayer(model)).toThrow(ConfigError);
        expect(() => lastHiddenLayer(model)).toThrow(message);
      } finally {
        await model.dispose();
      }
    }
  });

  it('takes the layer before the last Linear, not a fixed one: a Linear, ReLU, Linear head', async () => {
    const engine = await testEngine();
    const model = new Sequential(
      engine,
      [new Flatten({ name: 'flat' }), new Linear({ name: 'fc1', inFeatures: 16, outFeatures: 8 }), new ReLU({ name: 'act' }), new Linear({ name: 'fc2', inFeatures: 8, outFeatures: 3 })],
      { inputShape: [1, 4, 4] },
    );
    try {
      expect(lastHiddenLayer(model)).toEqual({ index: 2, name: 'act', shape: [8] });
    } finally {
      await model.dispose();
    }
  });
});
