// Image folders in Node (torchvision's ImageFolder layout): the generated shapes dataset loads as the
// pictures it drew; MNIST written as PNG files loads as exactly the IDX bytes, and trains as they do; bad folders get typed
// errors that name the folder or file; the stratified split keeps its promises.
import { mkdir, mkdtemp, rm, writeFile, copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Adam, ConfigError, Dataset, ImageError, ImageFolderError, imageToSample, referenceCnn, stratifiedSplit, subset } from '../src/index';
import { decodeImage, encodePng, loadImageFolder, loadMnistFromPackage } from '../src/node';
import { Random } from '../src/random';
import { drawShape, makeShapesDataset, SHAPE_CLASSES } from '../scripts/shapes_dataset';
import { writeMnistFolder } from '../scripts/mnist_folder';
import { testEngine } from './support/gpu';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'image-folder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh folder under the test's root with `files` (path → bytes) in it. */
async function folder(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = join(root, name);
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

const gray = (value: number, side = 4) => encodePng({ width: side, height: side, channels: 1, data: new Uint8Array(side * side).fill(value) });
const colour = (r: number, g: number, b: number, w = 4, h = 4) =>
  encodePng({ width: w, height: h, channels: 3, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => [r, g, b][i % 3]) });

/** HWC RGB bytes → CHW. */
function planar(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < 3; c++) out[c * pixels + i] = rgb[3 * i + c];
  return out;
}

describe('the generated shapes dataset', () => {
  test('loads as the pictures it drew, labelled by sorted class name', async () => {
    const dir = join(root, 'shapes');
    expect(await makeShapesDataset({ out: dir, perClass: 4, seed: 3 })).toBe(4 * SHAPE_CLASSES.length);
    const data = await loadImageFolder(dir);
    expect(SHAPE_CLASSES.length).toBeGreaterThanOrEqual(6);
    expect(data.classes).toEqual(SHAPE_CLASSES);
    expect(data.sampleShape).toEqual([3, 32, 32]);
    expect([...data.labels]).toEqual(SHAPE_CLASSES.flatMap((_, label) => [label, label, label, label]));
    expect(data.files.slice(0, 2)).toEqual([`${SHAPE_CLASSES[0]}/00000.png`, `${SHAPE_CLASSES[0]}/00001.png`]);
    // The same draws, in the order the script makes them.
    const random = new Random(3);
    for (let i = 0; i < data.labels.length; i++) {
      const drawn = drawShape(SHAPE_CLASSES[data.labels[i]], 32, random);
      expect(data.samples.subarray(i * 3072, (i + 1) * 3072)).toEqual(planar(drawn, 1024));
    }
    // Same seed, same files; another seed, other files.
    await makeShapesDataset({ out: join(root, 'shapes-again'), perClass: 4, seed: 3 });
    await makeShapesDataset({ out: join(root, 'shapes-other'), perClass: 4, seed: 4 });
    const file = `${SHAPE_CLASSES[2]}/00003.png`;
    expect(await readFile(join(root, 'shapes-again', file))).toEqual(await readFile(join(dir, file)));
    expect(await readFile(join(root, 'shapes-other', file))).not.toEqual(await readFile(join(dir, file)));
  });

  test('imageSize resizes every picture as imageToSample does; progress is reported', async () => {
    const dir = join(root, 'shapes');
    const progress: number[] = [];
    const data = await loadImageFolder(dir, { imageSize: [20, 12], channels: 1, onProgress: ({ done, total }) => progress.push(done / total) });
    expect(data.sampleShape).toEqual([1, 20, 12]);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBe(data.labels.length);
    const third = await decodeImage(await readFile(join(dir, data.files[3])), data.files[3]);
    expect(data.samples.subarray(3 * 240, 4 * 240)).toEqual(imageToSample(third, { height: 20, width: 12, channels: 1 }));
  });
});

test('MNIST written as PNG files (make-mnist-folder) loads as exactly the IDX bytes', async () => {
  const mnist = await loadMnistFromPackage();
  const counts = { train: 120, test: 300 };
  const out = join(root, 'mnist');
  expect(await writeMnistFolder(mnist, { out, trainLimit: counts.train, testLimit: counts.test })).toEqual(counts);
  for (const split of ['train', 'test'] as const) {
    const data = await loadImageFolder(join(out, split));
    expect(data.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(data.sampleShape).toEqual([1, 28, 28]);
    // ImageFolder's order: by class, then by file name, i.e. by index within each digit.
    const { images, labels } = mnist[split];
    const order = [...Array(counts[split]).keys()].sort((a, b) => labels[a] - labels[b] || a - b);
    const expected = new Uint8Array(counts[split] * 784);
    order.forEach((image, k) => expected.set(images.subarray(image * 784, (image + 1) * 784), k * 784));
    expect(data.samples).toEqual(expected);
    expect([...data.labels]).toEqual(order.map((i) => labels[i]));
  }
});

test('MNIST trained from its image folder is, bit for bit, MNIST trained from IDX arrays in the folder\'s order', async () => {
  const mnist = await loadMnistFromPackage();
  const out = join(root, 'mnist-training');
  await writeMnistFolder(mnist, { out, trainLimit: 200, testLimit: 1 });
  const folder = await loadImageFolder(join(out, 'train'));
  // The IDX path's arrays, put in the order an ImageFolder lists the files: by class, then by index.
  const { images, labels } = mnist.train;
  const order = [...Array(200).keys()].sort((a, b) => labels[a] - labels[b] || a - b);
  const samples = new Uint8Array(200 * 784);
  order.forEach((i, k) => samples.set(images.subarray(i * 784, (i + 1) * 784), k * 784));
  const engine = await testEngine();
  const train = async (data: { samples: Uint8Array; labels: ArrayLike<number> }) => {
    const dataset = Dataset.upload(engine, { samples: data.samples, labels: Uint32Array.from(data.labels), sampleShape: [1, 28, 28] });
    const model = referenceCnn(engine, { seed: 1 });
    try {
      model.compile({ optimizer: new Adam({ lr: 1e-3 }) });
      const { finalLoss } = await model.fit(dataset, { batchSize: 20, maxSteps: 4, seed: 1, logEvery: 1e9 });
      return { finalLoss, parameters: await model.getParameters() };
    } finally {
      await model.dispose();
      dataset.dispose();
    }
  };
  const fromFolder = await train(folder);
  const fromIdx = await train({ samples, labels: order.map((i) => labels[i]) });
  expect(fromFolder.finalLoss).toBe(fromIdx.finalLoss);
  for (const [name, p] of fromIdx.parameters) expect(fromFolder.parameters.get(name)!.data, name).toEqual(p.data);
});

describe('folder rules', () => {
  test('classes sort by code point; hidden entries and non-pictures are skipped; sub-folders are walked', async () => {
    const dir = await folder('rules', {
      'b/2.png': gray(20), 'b/10.png': gray(10), 'b/sub/0.png': gray(30), 'b/notes.txt': 'not a picture', 'b/.hidden.png': 'garbage',
      'B/x.JPG.png': gray(40), 'Ä/y.PNG': gray(50), '.ipynb_checkpoints/z.png': 'garbage', 'loose.png': gray(60),
    });
    const data = await loadImageFolder(dir);
    expect(data.classes).toEqual(['B', 'b', 'Ä']);
    expect(data.files).toEqual(['B/x.JPG.png', 'b/10.png', 'b/2.png', 'b/sub/0.png', 'Ä/y.PNG']);
    expect([...data.labels]).toEqual([0, 1, 1, 1, 2]);
    expect(data.sampleShape).toEqual([1, 4, 4]);
    expect([...data.samples.filter((_, i) => i % 16 === 0)]).toEqual([40, 10, 20, 30, 50]);
  });

  test('channels: 3 when any picture has colour, 1 when all are gray, as asked otherwise', async () => {
    const mixed = await folder('mixed', { 'a/0.png': gray(9), 'b/0.png': colour(200, 100, 0) });
    const data = await loadImageFolder(mixed);
    expect(data.sampleShape).toEqual([3, 4, 4]);
    expect([...data.samples.subarray(0, 48)].every((v) => v === 9)).toBe(true);
    const asRgb = await loadImageFolder(await folder('grays', { 'a/0.png': gray(9), 'b/0.png': gray(7) }), { channels: 3 });
    expect(asRgb.sampleShape).toEqual([3, 4, 4]);
    expect((await loadImageFolder(mixed, { channels: 1 })).samples[16]).toBe((200 * 19595 + 100 * 38470 + 0x8000) >> 16);
  });
});

describe('bad folders are refused with typed errors', () => {
  const cases: [string, Record<string, Uint8Array | string>, object, RegExp, typeof ImageFolderError | typeof ImageError][] = [
    ['empty', {}, {}, /no class folders found.*\(no-classes\)$/, ImageFolderError],
    ['one-class', { 'cat/0.png': gray(1) }, {}, /only one class, "cat"/, ImageFolderError],
    ['empty-class', { 'cat/0.png': gray(1), 'dog/readme.txt': 'x' }, {}, /class folder\(s\) "dog" hold no PNG or JPEG file/, ImageFolderError],
    ['mixed-sizes', { 'a/0.png': gray(1, 4), 'a/1.png': gray(1, 4), 'b/0.png': gray(1, 6) }, {}, /2 sizes \(height×width\): 4×4 \(2 files, e\.g\. .*a\/0\.png\), 6×6 \(1 file.*Give imageSize/, ImageFolderError],
    ['bad-size', { 'a/0.png': gray(1), 'b/0.png': gray(1) }, { imageSize: 0 }, /imageSize is 0/, ImageFolderError],
    ['bad-channels', { 'a/0.png': gray(1), 'b/0.png': gray(1) }, { channels: 4 }, /channels is 4/, ImageFolderError],
    ['truncated', { 'a/0.png': gray(1), 'b/0.png': colour(1, 2, 3, 30, 30).subarray(0, 60) }, { imageSize: 4 }, /b\/0\.png: .*\(truncated\)$/, ImageError],
    ['truncated-header', { 'a/0.png': gray(1), 'b/0.png': gray(1).subarray(0, 20) }, {}, /b\/0\.png: the PNG file ends after 20 bytes.*\(truncated\)$/, ImageError],
    ['not-an-image', { 'a/0.png': gray(1), 'b/0.jpg': 'GIF89a, renamed' }, {}, /b\/0\.jpg: the file starts with bytes 47 49 46/, ImageError],
    ['bmp', { 'a/0.png': gray(1), 'b/0.bmp': 'BM' }, {}, /b\/0\.bmp: a \.bmp picture.*convert it to PNG/, ImageError],
  ];
  for (const [name, files, options, message, type] of cases) {
    test(name, async () => {
      const dir = await folder(`bad-${name}`, files);
      const error = await loadImageFolder(dir, options).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith(dir)).toBe(true);
    });
  }

  test('a missing folder, and a file given as the folder', async () => {
    await expect(loadImageFolder(join(root, 'nothing here'))).rejects.toThrow(/nothing here: no such folder.*\(missing-folder\)$/);
    const file = join(root, 'a-file.png');
    await writeFile(file, gray(1));
    await expect(loadImageFolder(file)).rejects.toThrow(ImageFolderError);
  });

  test('a folder named like a picture is walked, not read', async () => {
    const dir = await folder('picture-named-folder', { 'a/0.png': gray(1) });
    await mkdir(join(dir, 'b/0.png'), { recursive: true });
    await copyFile(join(dir, 'a/0.png'), join(dir, 'b/0.png/inner.png'));
    expect((await loadImageFolder(dir)).files).toEqual(['a/0.png', 'b/0.png/inner.png']);
  });
});

describe('stratifiedSplit', () => {
  const labels = Uint32Array.from([...Array(50).fill(0), ...Array(7).fill(1), 2, ...Array(2).fill(3), ...Array(20).fill(4)]);

  test('per class: round(n · fraction), at least 1 and at most n − 1; disjoint, complete, sorted, seeded', () => {
    const { train, validation } = stratifiedSplit(labels, { validation: 0.1, seed: 5 });
    const count = (indices: Uint32Array, label: number) => [...indices].filter((i) => labels[i] === label).length;
    expect([0, 1, 2, 3, 4].map((c) => count(validation, c))).toEqual([5, 1, 0, 1, 2]);
    expect(new Set([...train, ...validation]).size).toBe(labels.length);
    expect(train.length + validation.length).toBe(labels.length);
    expect([...train]).toEqual([...train].sort((a, b) => a - b));
    expect(stratifiedSplit(labels, { validation: 0.1, seed: 5 })).toEqual({ train, validation });
    expect(stratifiedSplit(labels, { validation: 0.1, seed: 6 }).validation).not.toEqual(validation);
    expect([0, 1, 2, 3, 4].map((c) => count(stratifiedSplit(labels, { validation: 0.5, seed: 1 }).validation, c))).toEqual([25, 4, 0, 1, 10]);
    expect(stratifiedSplit(labels, { validation: 0, seed: 1 }).validation.length).toBe(0);
  });

  test('bad options are ConfigErrors', () => {
    expect(() => stratifiedSplit(labels, { validation: 1, seed: 1 })).toThrow(ConfigError);
    expect(() => stratifiedSplit(labels, { validation: -0.1, seed: 1 })).toThrow(/validation is -0.1/);
    expect(() => stratifiedSplit([0, 1.5], { validation: 0.5, seed: 1 })).toThrow(/label 1 is 1.5/);
  });

  test('subset picks samples, labels and files', () => {
    const data = { classes: ['a', 'b'], samples: Uint8Array.from([1, 1, 2, 2, 3, 3]), labels: Uint32Array.from([0, 1, 1]), sampleShape: [2, 1, 1] as [number, number, number], files: ['a/1', 'b/2', 'b/3'] };
    expect(subset(data, [2, 0])).toEqual({ classes: ['a', 'b'], samples: Uint8Array.from([3, 3, 1, 1]), labels: Uint32Array.from([1, 0]), sampleShape: [2, 1, 1], files: ['b/3', 'a/1'] });
    expect(() => subset(data, [3])).toThrow(/index 0 is 3/);
  });
});
