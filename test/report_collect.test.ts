// collectReport on the GPU: the mistakes it picks are the samples whose prediction differs from the label,
// in order, each with its own picture and the softmax probability of its predicted class (checked against
// the model's logits in float64); the map holds one point per sample of the hidden layer it names; what
// cannot be drawn is said, and wrong class names are refused.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { referenceCnn } from '../src/reference_cnn';
import { collectReport, type ReportInput } from '../src/report/collect';
import { testEngine } from './support/gpu';

const COUNT = 30;
const SHAPE = [1, 28, 28];

describe('collectReport', () => {
  it('finds the mistakes, their probabilities, and the map of the last hidden layer', async () => {
    const engine = await testEngine();
    const model = referenceCnn(engine, { seed: 2 });
    try {
      const random = new Random(12);
      const samples = Uint8Array.from({ length: COUNT * 784 }, () => random.below(256));
      const logits = await model.predict(samples);
      const predictions = Uint32Array.from({ length: COUNT }, (_, i) => {
        const row = [...logits.data.subarray(i * 10, (i + 1) * 10)];
        return row.indexOf(Math.max(...row));
      });
      // Every third sample labelled as another class: those are the mistakes.
      const labels = Uint8Array.from(predictions, (p, i) => (i % 3 === 1 ? (p + 1 + (i % 9)) % 10 : p));
      const input: ReportInput = {
        model, title: 't', facts: [], history: { loss: [], accuracy: [] }, seed: 3,
        evaluation: { name: 'test images', samples, sampleShape: SHAPE, labels, predictions },
      };
      const { data, mapSeconds } = await collectReport(input);

      const wrong = [...labels.keys()].filter((i) => i % 3 === 1);
      expect(data.mistakes.total).toBe(wrong.length);
      expect(data.mistakes.shown.map((m) => [m.index, m.label, m.predicted])).toEqual(wrong.map((i) => [i, labels[i], predictions[i]]));
      for (const m of data.mistakes.shown) {
        expect(m.image).toEqual(samples.subarray(m.index * 784, (m.index + 1) * 784));
        const row = [...logits.data.subarray(m.index * 10, (m.index + 1) * 10)];
        const sum = row.reduce((a, v) => a + Math.exp(v - row[m.predicted]), 0);
        expect(m.probability).toBeCloseTo(1 / sum, 5);
      }
      expect(data.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(data.evaluation).toMatchObject({ name: 'test images', step: 0, labels: [...labels] });

      expect(data.map!.points).toHaveLength(2 * COUNT);
      expect(data.map!.points.every(Number.isFinite)).toBe(true);
      expect(data.map!.description).toMatch(/seed 3\) of the output of layer "flatten" \(Flatten, 1,568 values per sample\), the input of the last Linear, for the first 30 test images/);
      expect(mapSeconds).toBeGreaterThan(0);
      // Seeded: the same input draws the same map.
      expect((await collectReport(input)).data.map!.points).toEqual(data.map!.points);

      const fewer = await collectReport({ ...input, mapSamples: 1 });
      expect(fewer.data.map).toBeUndefined();
      expect(fewer.data.mapNote).toMatch(/Too few samples/);
      await expect(collectReport({ ...input, classNames: ['a', 'b'] })).rejects.toThrow(ConfigError);
      await expect(collectReport({ ...input, classNames: ['a', 'b'] })).rejects.toThrow(/2 class names for a model with 10 classes/);
    } finally {
      await model.dispose();
    }
  });
});
