// The same files give the same samples in Chromium (its own decoders, imageFromSource) as in Node
// (pngjs, jpeg-js): exactly for PNG; for JPEG within the decoders' stated difference. ImageData, canvas,
// ImageBitmap and <img> sources give their pixels back; a dropped folder loads as in Node.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { imageToSample, type SampleFormat } from '../src/index';
import { decodeImage, encodePng, loadImageFolder } from '../src/node';
import { makeShapesDataset, SHAPE_CLASSES } from '../scripts/shapes_dataset';
import { Random } from '../src/random';
import { browserOnRepository } from './support/browser';

const session = browserOnRepository();
let dir = '';
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'images-browser-'));
  await makeShapesDataset({ out: dir, perClass: 3, seed: 11 });
  page = await session.browser().newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // The page has no favicon; its 404 is the one console error that is not ours.
  page.on('console', (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && errors.push(m.text()));
  await page.goto(`${session.url()}/test/browser/images.html`);
  await page.waitForFunction(() => typeof window.folderFromInput === 'function', undefined, { timeout: 60_000 });
});
afterAll(async () => {
  await page?.close();
  await rm(dir, { recursive: true, force: true });
});

const FORMATS: SampleFormat[] = [{ height: 32, width: 32, channels: 3 }, { height: 20, width: 13, channels: 3 }, { height: 48, width: 40, channels: 1 }];

async function nodeSamples(bytes: Uint8Array, formats: SampleFormat[]): Promise<number[][]> {
  const image = await decodeImage(bytes, 'file');
  return formats.map((f) => Array.from(imageToSample(image, f)));
}

test('PNG files: the same samples in Chromium as in Node, exactly, at their size and resized, translucent ones too', async () => {
  const files = [`${SHAPE_CLASSES[0]}/00000.png`, `${SHAPE_CLASSES[3]}/00002.png`, `${SHAPE_CLASSES[5]}/00001.png`];
  const random = new Random(2);
  const gray = encodePng({ width: 9, height: 7, channels: 1, data: Uint8Array.from({ length: 63 }, () => random.below(256)) });
  // Translucent and fully transparent pixels whose colour is not black: their stored colour is kept.
  const alpha = [0, 0, 1, 128, 254, 255];
  const translucent = encodePng({ width: 11, height: 6, channels: 4, data: Uint8Array.from({ length: 264 }, (_, i) => (i % 4 === 3 ? alpha[random.below(6)] : random.below(256))) });
  for (const bytes of [...(await Promise.all(files.map((f) => readFile(join(dir, f))))).map((b) => new Uint8Array(b)), gray, translucent]) {
    const browser = await page.evaluate(([b, f]) => window.samplesOfFile(b, 'image/png', f), [Array.from(bytes), FORMATS] as const);
    expect(browser).toEqual(await nodeSamples(bytes, FORMATS));
  }
  expect(errors).toEqual([]);
});

test('JPEG files: Chromium and Node (jpeg-js) within the decoders\' difference', async () => {
  // The tolerances of test/images.test.ts (jpeg-js against libjpeg, which Chromium's decoder also derives
  // from): 4:4:4 and gray within 2 levels, 4:2:0 within 20 (mean 5.5), at the picture's own size.
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/images_pil.json', import.meta.url), 'utf8')) as { jpeg: { kind: string; jpeg: string }[] };
  const tolerance: Record<string, { max: number; mean: number }> = { '4:4:4': { max: 2, mean: 0.6 }, 'exif-rotated': { max: 2, mean: 0.6 }, gray: { max: 2, mean: 0.1 }, '4:2:0': { max: 20, mean: 5.5 } };
  const format = [{ height: 30, width: 40, channels: 3 as const }];
  for (const c of fixture.jpeg) {
    const bytes = new Uint8Array(Buffer.from(c.jpeg, 'base64'));
    const [browser] = (await page.evaluate(([b, f]) => window.samplesOfFile(b, 'image/jpeg', f), [Array.from(bytes), format] as const)) as number[][];
    const [node] = await nodeSamples(bytes, format);
    const diffs = node.map((v, i) => Math.abs(v - browser[i]));
    expect(Math.max(...diffs), c.kind).toBeLessThanOrEqual(tolerance[c.kind].max);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length, c.kind).toBeLessThanOrEqual(tolerance[c.kind].mean);
  }
});

test('ImageData, canvas, OffscreenCanvas, ImageBitmap, <img> and VideoFrame sources give their opaque pixels back', async () => {
  const random = new Random(4);
  const rgba = Array.from({ length: 5 * 3 * 4 }, (_, i) => (i % 4 === 3 ? 255 : random.below(256)));
  for (const kind of ['imagedata', 'canvas', 'offscreen', 'bitmap', 'image', 'videoframe'] as const) {
    expect(await page.evaluate(([k, d]) => window.pixelsOf(k, d, 5, 3), [kind, rgba] as const), kind).toEqual(rgba);
  }
});

test('a truncated or hostile file is refused with ImageError before the browser decodes it', async () => {
  const png = new Uint8Array(await readFile(join(dir, `${SHAPE_CLASSES[1]}/00000.png`)));
  const huge = png.slice();
  huge.set([0, 0, 0x40, 0x01], 16); // 16385 wide, and the header's CRC no longer matches: refused as corrupt
  const cases: [Uint8Array, string][] = [[png.subarray(0, 20), 'truncated'], [new TextEncoder().encode('GIF89a'), 'not-an-image'], [huge, 'corrupt']];
  for (const [bytes, reason] of cases) {
    const result = await page.evaluate((b) => window.samplesOfFile(b, 'image/png', []), Array.from(bytes));
    expect(result).toMatchObject({ reason, error: expect.stringMatching(/^dropped\.file: /) });
  }
});

test('a dropped folder loads as loadImageFolder loads it in Node', async () => {
  await page.setInputFiles('#folder', dir);
  for (const options of [{}, { imageSize: 16, channels: 1 }]) {
    const browser = await page.evaluate((o) => window.folderFromInput(o), options);
    const node = await loadImageFolder(dir, options as object);
    expect(browser).toEqual({ ...node, samples: Array.from(node.samples), labels: Array.from(node.labels) });
  }
  expect(errors).toEqual([]);
});

test('Blobs per class load as the same files in a folder do, classes sorted, each class in the order given', async () => {
  const pick = { [SHAPE_CLASSES[4]]: ['00001', '00000'], [SHAPE_CLASSES[1]]: ['00002'] };
  const bytes = async (name: string, file: string) => Array.from(await readFile(join(dir, name, `${file}.png`)));
  const blobs = Object.fromEntries(await Promise.all(Object.entries(pick).map(async ([name, files]) => [name, await Promise.all(files.map((f) => bytes(name, f)))])));
  const browser = (await page.evaluate(([b, o]) => window.folderFromBlobs(b, o), [blobs, { imageSize: [8, 8] }] as const)) as { classes: string[]; labels: number[]; files: string[]; samples: number[]; sampleShape: number[] };
  expect(browser.classes).toEqual([SHAPE_CLASSES[1], SHAPE_CLASSES[4]]);
  expect(browser.labels).toEqual([0, 1, 1]);
  expect(browser.files).toEqual([`${SHAPE_CLASSES[1]}/0`, `${SHAPE_CLASSES[4]}/0`, `${SHAPE_CLASSES[4]}/1`]);
  expect(browser.sampleShape).toEqual([3, 8, 8]);
  const order = [[SHAPE_CLASSES[1], '00002'], [SHAPE_CLASSES[4], '00001'], [SHAPE_CLASSES[4], '00000']];
  const node = await Promise.all(order.map(async ([name, file]) => nodeSamples(new Uint8Array(await readFile(join(dir, name, `${file}.png`))), [{ height: 8, width: 8, channels: 3 }])));
  expect(browser.samples).toEqual(node.flatMap(([s]) => s));
  expect(errors).toEqual([]);
});
