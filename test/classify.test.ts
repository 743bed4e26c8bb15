// classify() against the float64 reference: the top classes are a float64 softmax of predict()'s logits
// (or a Softmax output as it is), the most probable first, named by model.info; pixels are normalised as
// training normalises them (checked value by value through a model that only flattens). evaluate()'s
// per-class accuracy and confusion matrix against a count on the CPU from predict()'s logits.
import { describe, expect, test } from 'vitest';
import { Adam, ConfigError, Dataset, Flatten, Linear, Sequential, ShapeError, Softmax, imageToSample, normalizeSample } from '../src/index';
import { Random } from '../src/random';
import { randomArray, testEngine } from './support/gpu';
import { f64 } from './support/compare';
import { softmax } from './reference/activations';
import { tinyCnn, tinyDigitBytes, tinyDigits } from './support/training';

const NAMES = ['ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'ibis', 'jay'];
/** Both sides compute a float64 softmax of the same f32 logits; only the order of the sums differs. */
const PROBABILITY_TOLERANCE = 1e-12;

/** The classes of one row of probabilities, most probable first, equal ones in class order. */
const ranked = (p: ArrayLike<number>) => Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);

describe('classify', () => {
  test('the top classes are a float64 softmax of predict\'s logits, named by the model', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 1);
    model.info = { classes: NAMES };
    const inputs = randomArray(new Random(2), 7 * 64, -3, 3);
    const logits = await model.predict(inputs);
    const reference = softmax(10, f64(logits.data));
    const top3 = await model.classify(inputs, { top: 3 });
    expect(top3).toHaveLength(7);
    top3.forEach((scores, n) => {
      const p = reference.subarray(n * 10, (n + 1) * 10);
      expect(scores.map((s) => s.index)).toEqual(ranked(p).slice(0, 3));
      for (const s of scores) {
        expect(s.className).toBe(NAMES[s.index]);
        expect(Math.abs(s.probability - p[s.index])).toBeLessThanOrEqual(PROBABILITY_TOLERANCE * p[s.index]);
      }
    });
    expect((await model.classify(inputs.subarray(0, 64)))[0]).toHaveLength(5); // top 5 by default
    const all = (await model.classify(inputs.subarray(0, 64), { top: 100 }))[0];
    expect(all).toHaveLength(10); // at most every class
    expect(all.reduce((a, s) => a + s.probability, 0)).toBeCloseTo(1, 12);
    await expect(model.classify(inputs, { top: 0 })).rejects.toThrow('Sequential.classify: top is 0. top must be a positive integer.');
    await expect(model.classify(inputs.subarray(1))).rejects.toThrow('a multiple of 64 values');

    model.info = {};
    expect((await model.classify(inputs.subarray(0, 64), { top: 1 }))[0][0].className).toBe(String(ranked(reference.subarray(0, 10))[0]));
    await model.dispose();
  });

  test('equal probabilities come in class order', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 3);
    model.setParameters({ 'fc.weight': { shape: [10, 64], data: new Float32Array(640) }, 'fc.bias': { shape: [10], data: Float32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]) } });
    const [scores] = await model.classify(new Float32Array(64), { top: 10 });
    expect(scores.map((s) => s.index)).toEqual([1, 3, 5, 7, 9, 0, 2, 4, 6, 8]);
    await model.dispose();
  });

  test('a model ending in Softmax: its output is the probability', async () => {
    const engine = await testEngine();
    const layers = [new Flatten(), new Linear({ name: 'fc', inFeatures: 12, outFeatures: 4 }), new Softmax()];
    const model = new Sequential(engine, layers, { inputShape: [3, 2, 2], seed: 4 });
    const inputs = randomArray(new Random(5), 3 * 12);
    const output = await model.predict(inputs);
    const scores = await model.classify(inputs, { top: 4 });
    scores.forEach((row, n) => {
      for (const s of row) expect(s.probability).toBe(output.data[n * 4 + s.index]);
      expect(row.map((s) => s.index)).toEqual(ranked(output.data.subarray(n * 4, (n + 1) * 4)));
    });
    await model.dispose();
  });

  test('pixels are scaled by 1/255 and normalised per channel, as model.info says', async () => {
    const engine = await testEngine();
    // A model that only flattens returns its input: what predict() made of the pixels.
    const model = new Sequential(engine, [new Flatten()], { inputShape: [3, 2, 3] });
    const pixels = Uint8Array.from({ length: 2 * 18 }, (_, i) => (i * 97) % 256);
    expect([...(await model.predict(pixels)).data]).toEqual([...pixels].map((v) => Math.fround(v / 255)));
    const normalize = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    model.info = { normalize };
    const channel = (i: number) => Math.floor(i / 6) % 3;
    const got = (await model.predict(pixels)).data;
    // Exactly what the GPU gather makes of a byte dataset with this normalisation (normalizeSample), within f32 rounding of the float64 formula.
    expect([...got]).toEqual([...normalizeSample(pixels, [3, 2, 3], 1 / 255, normalize)]);
    [...pixels].forEach((v, i) => expect(Math.abs(got[i] - (v / 255 - normalize.mean[channel(i)]) / normalize.std[channel(i)])).toBeLessThan(1e-6));
    await model.dispose();
  });

  test('classify takes pixels the same way: as the normalised floats they stand for', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 6);
    model.info = { classes: NAMES, normalize: { mean: [0.3], std: [0.4] } };
    const pixels = Uint8Array.from({ length: 3 * 64 }, (_, i) => (i * 53 + 7) % 256);
    const floats = normalizeSample(pixels, [1, 8, 8], 1 / 255, { mean: [0.3], std: [0.4] });
    expect(await model.classify(pixels, { top: 10 })).toEqual(await model.classify(floats, { top: 10 }));
    await model.dispose();
  });

  test('pictures of any size are resized and converted as image folders are, then classified as those bytes', async () => {
    const engine = await testEngine();
    const model = tinyCnn(engine, 7);
    model.info = { classes: NAMES, normalize: { mean: [0.3], std: [0.4] } };
    const random = new Random(8);
    const pictures = [[13, 11], [8, 8], [5, 20]].map(([height, width]) => ({
      height, width, data: Uint8Array.from({ length: 4 * height * width }, () => Math.floor(random.next() * 256)),
    }));
    const bytes = new Uint8Array(3 * 64);
    pictures.forEach((picture, n) => bytes.set(imageToSample(picture, { height: 8, width: 8, channels: 1 }), n * 64));
    const fromPictures = await model.classify(pictures, { top: 10 });
    expect(fromPictures).toEqual(await model.classify(bytes, { top: 10 }));
    expect(await model.classify(pictures[1])).toEqual([fromPictures[1].slice(0, 5)]);
    // A model whose input is not a picture says so.
    const flat = new Sequential(engine, [new Flatten(), new Linear({ inFeatures: 8, outFeatures: 2 })], { inputShape: [2, 2, 2] });
    await expect(flat.classify(pictures[0])).rejects.toThrow(ShapeError);
    await model.dispose();
    await flat.dispose();
  });

  test('a model whose output is not class scores is refused', async () => {
    const model = new Sequential(await testEngine(), [new Flatten({ startDim: 2 })], { inputShape: [2, 2, 2] });
    await expect(model.classify(new Float32Array(8))).rejects.toThrow(ConfigError);
    await model.dispose();
  });
});

describe('evaluate, per class', () => {
  test('per-class accuracy and confusion matrix equal a CPU count from predict\'s logits', async () => {
    const engine = await testEngine();
    const data = tinyDigits(engine, 97, 7);
    const model = tinyCnn(engine, 8);
    model.compile({ optimizer: new Adam({ lr: 0.01 }) });
    await model.fit(data, { batchSize: 10, maxSteps: 6, seed: 1 });
    model.info = { classes: NAMES };
    // The same images as floats, so that evaluate() and predict() see the same input bits.
    const inputs = Float32Array.from(tinyDigitBytes(97, 7).samples, (v) => v / 255);
    const labels = data.hostLabels;
    const floats = Dataset.upload(engine, { samples: inputs, labels, sampleShape: [1, 8, 8], name: 'tiny digits as floats' });
    // Batches of 20: four full ones and a smaller last one.
    const result = await model.evaluate(floats, { batchSize: 20, predictions: true });
    expect(result.classes).toEqual(NAMES);

    const logits = (await model.predict(inputs)).data;
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (let n = 0; n < 97; n++) {
      const row = Array.from(logits.subarray(n * 10, (n + 1) * 10));
      confusion[labels[n]][row.indexOf(Math.max(...row))]++;
    }
    expect([...result.predictions!]).toEqual(Array.from({ length: 97 }, (_, n) => ranked(logits.subarray(n * 10, (n + 1) * 10))[0]));
    expect(result.confusion).toEqual(confusion);
    const perClass = confusion.map((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      return total === 0 ? undefined : row[c] / total;
    });
    expect(result.perClassAccuracy).toEqual(perClass);
    expect(confusion.reduce((a, row, c) => a + row[c], 0)).toBe(result.correct);
    // The figures say something: some classes right, some wrong.
    expect(new Set(perClass).size).toBeGreaterThan(1);

    // Classes with no sample among the first 6 have no accuracy.
    const few = await model.evaluate(data, { limit: 6 });
    const present = new Set(labels.subarray(0, 6));
    few.perClassAccuracy.forEach((a, c) => expect(a === undefined).toBe(!present.has(c)));
    expect(few.predictions).toBeUndefined();
    model.info = {};
    expect((await model.evaluate(data, { limit: 6 })).classes).toBeUndefined();
    await model.dispose();
    data.dispose();
    floats.dispose();
  });
});
