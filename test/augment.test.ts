// The batch gather's augmentation (shaders/gather_batch.wgsl) against the float64 reference for the same
// Philox draws (test/reference/augment.ts), on awkward shapes: 1 and 3 channels, non-square, batch 1,
// a padding over half the image, rotations up to 180°, bytes and floats, with and without normalisation;
// the reference's conventions checked on known rotations; the draws' ranges and balance; the options'
// checks and the command line's syntax.
// Tolerance: every element within 1e-4 + 1e-3·|ref| (the project's F32), ‖gpu − ref‖/‖ref‖ ≤ 1e-5; the
// GPU's f32 angle, cos, sin and coordinates move a bilinear read by about 1e-6 of a pixel.
import { describe, expect, test } from 'vitest';
import { checkAugment, formatAugment, parseAugment, type AugmentOptions } from '../src/data/augment';
import { ConfigError } from '../src/gpu/errors';
import { Random } from '../src/random';
import { augmentDraws, augmentSample } from './reference/augment';
import { expectClose } from './support/compare';
import { gatherBatch } from './support/gather';
import { testEngine } from './support/gpu';

interface Case {
  shape: number[];
  batch: number;
  augment: AugmentOptions;
  kind: 'bytes' | 'floats';
  normalize?: { mean: number[]; std: number[] };
  seed: number;
  step: number;
}

describe('augmented batches equal the float64 reference for the same draws', () => {
  test.each<Case>([
    { shape: [1, 5, 7], batch: 1, augment: { crop: 3, flip: true, rotate: 180, scale: 0.3, translate: 0.3 }, kind: 'bytes', normalize: { mean: [0.2], std: [0.3] }, seed: 1, step: 1 },
    { shape: [3, 6, 4], batch: 5, augment: { crop: 2, flip: true, rotate: 10, scale: 0.1, translate: 0.1 }, kind: 'floats', seed: 7, step: 123 },
    { shape: [3, 9, 9], batch: 6, augment: { rotate: 180 }, kind: 'bytes', normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, seed: 0xdeadbeef, step: 0xfffffff0 },
    { shape: [3, 8, 5], batch: 7, augment: { crop: 4, flip: true }, kind: 'bytes', normalize: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] }, seed: 3, step: 2 },
    { shape: [1, 28, 28], batch: 4, augment: { scale: 0.5, translate: 0.5 }, kind: 'floats', normalize: { mean: [-0.5], std: [2] }, seed: 11, step: 40 },
    { shape: [2, 3, 11], batch: 3, augment: { flip: true, translate: 1 }, kind: 'bytes', seed: 5, step: 9 },
  ])('$kind $shape, batch $batch, $augment, normalize $normalize', async ({ shape, batch, augment, kind, normalize, seed, step }) => {
    const engine = await testEngine();
    const random = new Random(seed);
    const size = shape.reduce((a, b) => a * b, 1);
    const count = batch + 3;
    const samples = kind === 'bytes' ? Uint8Array.from({ length: count * size }, () => random.below(256)) : Float32Array.from({ length: count * size }, () => random.uniform(-2, 2));
    const scale = kind === 'bytes' ? 1 / 255 : 1;
    const order = random.permutation(count);
    const checked = checkAugment('test', augment, shape);
    const got = await gatherBatch(engine, { samples, shape, batch, order, start: 2, normalize, augment: checked, clock: { seed, step } });
    const draws = augmentDraws(seed, step, batch, checked, shape);
    const expected = new Float64Array(batch * size);
    for (let n = 0; n < batch; n++) {
      const sample = order[2 + n];
      const values = Array.from(samples.subarray(sample * size, (sample + 1) * size), (v) => v * scale);
      expected.set(augmentSample(values, shape, draws[n], checked.crop, normalize), n * size);
    }
    expectClose('augmented batch', got, expected);
  });

  test('the reference turns a picture counter-clockwise: 90° moves the top right corner to the top left, 180° reverses it', () => {
    const [h, w] = [4, 4];
    const values = Array.from({ length: h * w }, (_, i) => i + 1);
    const draw = { i: 0, j: 0, flip: false, zoom: 1, tx: 0, ty: 0 };
    const quarter = augmentSample(values, [1, h, w], { ...draw, degrees: 90 }, 0);
    const half = augmentSample(values, [1, h, w], { ...draw, degrees: 180 }, 0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        expect(quarter[y * w + x]).toBeCloseTo(values[x * w + (w - 1 - y)], 12);
        expect(half[y * w + x]).toBeCloseTo(values[(h - 1 - y) * w + (w - 1 - x)], 12);
      }
    }
  });

  test('the reference crops with zero padding, flips, shifts and zooms about the centre', () => {
    const values = [1, 2, 3, 4, 5, 6]; // 2 × 3
    const none = { i: 1, j: 1, flip: false, degrees: 0, zoom: 1, tx: 0, ty: 0 };
    expect(Array.from(augmentSample(values, [1, 2, 3], none, 1))).toEqual(values);
    expect(Array.from(augmentSample(values, [1, 2, 3], { ...none, i: 0, j: 2 }, 1))).toEqual([0, 0, 0, 2, 3, 0]);
    expect(Array.from(augmentSample(values, [1, 2, 3], { ...none, flip: true }, 1))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(augmentSample(values, [1, 2, 3], { ...none, tx: 1 }, 1))).toEqual([0, 1, 2, 0, 4, 5]);
    // Twice as large about the centre (1.5, 1): output (y, x) reads source ((x − 1)/2 + 1, (y − 0.5)/2 + 0.5),
    // where the bilinear read of this linear picture, 1 + x + 3y, is exact.
    expect(Array.from(augmentSample(values, [1, 2, 3], { ...none, zoom: 2 }, 1))).toEqual([2.25, 2.75, 3.25, 3.75, 4.25, 4.75]);
  });
});

test('the draws cover their ranges evenly: flips half the time, every crop offset, angles and shifts within bounds', () => {
  const augment = checkAugment('test', { crop: 2, flip: true, rotate: 30, scale: 0.2, translate: 0.25 }, [1, 8, 8]);
  const draws = augmentDraws(42, 7, 4000, augment, [1, 8, 8]);
  const flips = draws.filter((d) => d.flip).length;
  expect(Math.abs(flips - 2000)).toBeLessThan(5 * Math.sqrt(1000));
  const offsets = new Set(draws.map((d) => d.i));
  expect([...offsets].sort()).toEqual([0, 1, 2, 3, 4]);
  expect(draws.every((d) => Math.abs(d.degrees) <= 30 && Math.abs(d.zoom - 1) <= 0.2 && Math.abs(d.tx) <= 2 && Math.abs(d.ty) <= 2)).toBe(true);
  expect(new Set(draws.map((d) => d.tx))).toEqual(new Set([-2, -1, 0, 1, 2]));
  const meanAngle = draws.reduce((a, d) => a + d.degrees, 0) / draws.length;
  expect(Math.abs(meanAngle)).toBeLessThan(5 * (30 / Math.sqrt(3)) / Math.sqrt(4000));
  // Another step draws otherwise.
  expect(augmentDraws(42, 8, 16, augment, [1, 8, 8])).not.toEqual(draws.slice(0, 16));
});

describe('the options are checked, naming the option and its valid range', () => {
  test.each<[string, unknown, readonly number[], RegExp]>([
    ['negative crop', { crop: -1 }, [1, 8, 8], /augment\.crop is -1.*0 ≤ crop < 8/],
    ['fractional crop', { crop: 1.5 }, [1, 8, 8], /augment\.crop is 1\.5.*an integer/],
    ['crop as large as the image', { crop: 5 }, [3, 5, 9], /augment\.crop is 5.*crop < 5/],
    ['NaN rotation', { rotate: NaN }, [1, 8, 8], /augment\.rotate is NaN.*0 ≤ rotate ≤ 180/],
    ['rotation past 180', { rotate: 181 }, [1, 8, 8], /augment\.rotate is 181/],
    ['scale of 1', { scale: 1 }, [1, 8, 8], /augment\.scale is 1.*scale < 1/],
    ['negative translate', { translate: -0.1 }, [1, 8, 8], /augment\.translate is -0\.1.*0 ≤ translate ≤ 1/],
    ['flip as a string', { flip: 'yes' }, [1, 8, 8], /augment\.flip is yes.*true or false/],
    ['an unknown option', { shear: 5 }, [1, 8, 8], /no option "shear".*crop, flip, rotate, scale, translate/],
    ['flat samples', { flip: true }, [784], /needs images.*\[784\].*\[channels, height, width\]/],
    ['not an object', 'flip', [1, 8, 8], /augment is flip/],
  ])('%s', (_, options, shape, message) => {
    expect(() => checkAugment('Sequential.fit', options, shape)).toThrow(ConfigError);
    expect(() => checkAugment('Sequential.fit', options, shape)).toThrow(message);
  });

  test('defaults: nothing drawn', () => {
    expect(checkAugment('test', {}, [3, 4, 4])).toEqual({ crop: 0, flip: false, rotate: 0, scale: 0, translate: 0 });
  });
});

describe('the command line syntax', () => {
  test('reads every option, and formats them back', () => {
    const options = parseAugment('crop=4,flip,rotate=10,scale=0.1,translate=0.1');
    expect(options).toEqual({ crop: 4, flip: true, rotate: 10, scale: 0.1, translate: 0.1 });
    expect(formatAugment(checkAugment('test', options, [3, 32, 32]))).toBe('crop=4,flip,rotate=10,scale=0.1,translate=0.1');
    expect(parseAugment(' flip , rotate=5 ')).toEqual({ flip: true, rotate: 5 });
    expect(formatAugment(checkAugment('test', {}, [3, 32, 32]))).toBe('none');
  });

  test.each([
    ['', /the value is ""/],
    ['crop', /crop needs a number, as in crop=4/],
    ['crop=', /crop needs a number/],
    ['rotate=ten', /rotate needs a number/],
    ['scale=0.1=2', /scale needs a number/],
    ['flip=1', /flip takes no value/],
    ['zoom=2', /"zoom=2" is not an option/],
    ['flip,,crop=1', /"" is not an option/],
    ['crop=1,crop=2', /"crop" is given twice/],
  ])('refuses %j', (text, message) => {
    expect(() => parseAugment(text)).toThrow(ConfigError);
    expect(() => parseAugment(text)).toThrow(message);
  });
});
