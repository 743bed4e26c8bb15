// The "Your images" page (demo/images.html), end to end in headless Chromium on SwiftShader, with
// Chromium's fake camera: classes made and named (one with a hostile name, shown as text only), pictures
// added as generated PNG files, plain errors for an empty class and an unreadable file, a short run with
// per-class accuracy and the mistakes, a prediction on a new picture, the model saved as a file that
// describes it; then frames captured from the
// camera into classes, a brief run, live predictions from the camera, and a long run stopped early. No console errors, no request
// beyond the page's own server. Leaves test-results/demo-images*.png to look at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { drawShape, makeShapesDataset, SHAPE_CLASSES } from '../scripts/shapes_dataset';
import { encodePng } from '../src/images/png_encode';
import { readModelInfo } from '../src/index';
import { Random } from '../src/random';
import { serveDemo, watchPage } from './support/demo_page';

const HOSTILE = '<img src=x onerror=alert(1)>';
const PER_CLASS = 8;
const SIDE = 24;

let server: ViteDevServer;
let origin: string;
let browser: Browser;
let page: Page;
/** A generated ImageFolder: one sub-folder per shape, PER_CLASS PNG files each. */
let folder: string;
const problems: string[] = [];

beforeAll(async () => {
  folder = join(mkdtempSync(join(tmpdir(), 'demo-images-')), 'shapes');
  await makeShapesDataset({ out: folder, perClass: PER_CLASS, seed: 5, size: SIDE });
  let url: string;
  ({ server, url } = await serveDemo());
  origin = url.slice(0, -1);
  // As launchBrowser (src/cli/browser.ts), plus Chromium's fake camera (a moving test pattern), allowed without asking.
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(join(folder, '..'), { recursive: true, force: true });
});

const watch = (p: Page) => watchPage(p, problems, `${origin}/`);

/** `count` generated PNG pictures of `shape`, seeded. */
function pngs(shape: string, count: number, seed: number): { name: string; mimeType: string; buffer: Buffer }[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => ({
    name: `${shape}-${i}.png`, mimeType: 'image/png', buffer: Buffer.from(encodePng({ width: SIDE, height: SIDE, channels: 3, data: drawShape(shape, SIDE, random) })),
  }));
}

const waitForState = (p: Page, wanted: string, timeout = 60_000) => p.waitForFunction((s) => document.body.dataset.state === s, wanted, { timeout, polling: 250 });

async function addClass(p: Page, name: string): Promise<void> {
  await p.fill('#class-name', name);
  await p.click('#add-class');
}

const card = (p: Page, index: number) => p.locator(`.class-card[data-index="${index}"]`);

/** Drops `files` on `selector` as a drag from the desktop would (a script's drop carries no folder entries). */
async function drop(p: Page, selector: string, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  const dataTransfer = await p.evaluateHandle((given) => {
    const transfer = new DataTransfer();
    for (const f of given) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
    return transfer;
  }, files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString('base64') })));
  await p.dispatchEvent(selector, 'drop', { dataTransfer });
}

async function train(p: Page): Promise<void> {
  await p.click('#start');
  await p.waitForFunction(() => document.getElementById('accuracy')!.dataset.value, undefined, { timeout: 240_000, polling: 250 });
  await waitForState(p, 'ready');
}

test('pictures added as files: classes, plain errors, a run with per-class accuracy and mistakes, a prediction', async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  watch(page);
  await page.goto(`${origin}/images.html`);
  await waitForState(page, 'ready', 90_000);
  expect(await page.textContent('#adapter')).toMatch(/GPU .+vendor/);
  expect(await page.getAttribute('nav.pages a', 'href')).toBe('./index.html');

  // Errors, plainly: one class only, a duplicate name, then an empty class.
  await addClass(page, 'extra');
  await page.click('#start');
  expect(await page.textContent('#message')).toBe('Add at least two classes: a classifier chooses between classes.');
  await addClass(page, 'extra');
  expect(await page.textContent('#message')).toBe('There is already a class named "extra": give each class its own name.');

  // A folder of generated pictures, one sub-folder per shape, chosen as a folder: one class per sub-folder, sorted.
  await page.setInputFiles('#folder', folder);
  await page.waitForFunction((n) => document.body.dataset.pictures === String(n), SHAPE_CLASSES.length * PER_CLASS, { timeout: 60_000 });
  const names = await page.$$eval('input.class-name', (inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  expect(names).toEqual(['extra', ...SHAPE_CLASSES]);
  await page.click('#start');
  expect(await page.textContent('#message')).toBe('"extra" has no pictures: add some, or remove it.');
  await card(page, 0).locator('button.remove').click();

  // The circles' class renamed to a hostile name; a file that is not a picture is named and skipped.
  await card(page, 0).locator('input.class-name').fill(HOSTILE);
  await card(page, 0).locator('input.class-name').press('Enter');
  const broken = { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') };
  await card(page, 0).locator('input.add-files').setInputFiles([...pngs('circle', 2, 1), broken]);
  await page.waitForFunction((n) => document.querySelector('.class-card[data-index="0"]')?.getAttribute('data-count') === String(n), PER_CLASS + 2);
  expect(await page.textContent('#message')).toMatch(/^Skipped a file that cannot be read: broken\.png: the file starts with bytes 6e 6f 74 20/);
  expect(await card(page, 0).locator('.class-count').textContent()).toBe(`${PER_CLASS + 2} pictures`);
  expect(await card(page, 0).locator('canvas.picture').count()).toBe(PER_CLASS + 2);
  expect(await card(page, 0).locator('input.class-name').inputValue()).toBe(HOSTILE);

  await page.fill('input[name=size]', '16');
  await page.fill('input[name=epochs]', '40');
  await page.fill('input[name=batchSize]', '8');
  await page.fill('input[name=crop]', '2');
  await page.check('input[name=flip]');
  await train(page);
  expect(await page.textContent('#message')).toBe('');
  expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBeGreaterThanOrEqual(4);
  expect(Number(await page.getAttribute('#accuracy-chart', 'data-points'))).toBeGreaterThanOrEqual(4);
  // 20% of each class held out: 2 of 8 (and of 10).
  expect(await page.textContent('#accuracy-note')).toMatch(/^on 12 validation pictures, \d+ right$/);
  const rows = await page.$$eval('#per-class li', (items) => items.map((li) => li.querySelector('b')!.textContent));
  expect(rows).toEqual([HOSTILE, ...SHAPE_CLASSES.slice(1)]);
  expect(await page.locator('#confusion td').count()).toBe(36);
  // 160 steps on 36 pictures: the training loss falls well below its start (ln 6 ≈ 1.79), and the
  // held-out accuracy is above chance (1/6); 12 pictures are too few to ask for more.
  const loss = { first: Number(await page.getAttribute('#loss-chart', 'data-first')), last: Number(await page.getAttribute('#loss-chart', 'data-last')) };
  const accuracy = Number(await page.getAttribute('#accuracy', 'data-value'));
  console.log(`6 classes, 160 steps: training loss ${loss.first.toFixed(3)} → ${loss.last.toFixed(3)}, validation accuracy ${(accuracy * 100).toFixed(1)}%`);
  expect(loss.last).toBeLessThan(0.75 * loss.first);
  expect(accuracy).toBeGreaterThan(1 / 6);
  const mistakes = Number(await page.getAttribute('#mistakes', 'data-count'));
  expect(await page.locator('#mistakes .tile').count()).toBe(mistakes);
  // The name is text everywhere: no element was made from it.
  expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);

  // A new picture of a circle: the three most probable classes, in order, each a class's name.
  await page.setInputFiles('#predict-file', pngs('circle', 1, 99)[0]);
  await page.waitForFunction(() => document.querySelectorAll('#top li').length === 3, undefined, { timeout: 30_000 });
  const top = await page.$$eval('#top li', (items) => items.map((li) => ({ name: li.querySelector('b')!.textContent!, p: Number((li as HTMLElement).dataset.probability) })));
  for (const { name } of top) expect([HOSTILE, ...SHAPE_CLASSES.slice(1)]).toContain(name);
  expect(top[0].p).toBeGreaterThanOrEqual(top[1].p);
  expect(top[1].p).toBeGreaterThanOrEqual(top[2].p);
  expect(top.reduce((sum, t) => sum + t.p, 0)).toBeLessThanOrEqual(1 + 1e-6);

  // The model saved from the page describes itself, so npm run eval and classify() rebuild it from the file.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  expect(download.suggestedFilename()).toBe('your-images-reference-16px.safetensors');
  const saved = readModelInfo(new Uint8Array(readFileSync((await download.path())!)));
  expect(saved).toMatchObject({ network: 'reference', classes: [HOSTILE, ...SHAPE_CLASSES.slice(1)], inputShape: [3, 16, 16] });
  expect(problems).toEqual([]);
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/demo-images.png', fullPage: true });
}, 300_000);

test('frames from the camera: captured into classes, a brief run, live predictions; a run stopped early', async () => {
  await page.reload();
  await waitForState(page, 'ready', 90_000);
  expect(await page.isVisible('#camera')).toBe(true);
  await page.click('#camera');
  await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, undefined, { timeout: 30_000 });
  await addClass(page, 'first');
  await addClass(page, 'second');
  for (const index of [0, 1]) {
    for (let i = 0; i < 4; i++) {
      await card(page, index).locator('button.capture').click();
      await page.waitForFunction(([k, n]) => document.querySelector(`.class-card[data-index="${k}"]`)?.getAttribute('data-count') === String(n), [index, i + 1]);
    }
  }
  expect(await card(page, 1).locator('canvas.picture').count()).toBe(4);
  // A picture dropped on a class joins it; one dropped elsewhere belongs to no class, and the page says so.
  await drop(page, '.class-card[data-index="0"]', pngs('circle', 1, 7));
  await page.waitForFunction(() => document.querySelector('.class-card[data-index="0"]')?.getAttribute('data-count') === '5');
  await drop(page, '#drop', pngs('circle', 1, 8));
  await page.waitForFunction(() => document.getElementById('message')!.textContent !== '');
  expect(await page.textContent('#message')).toBe('Pictures on their own belong to no class: drop them on a class, or drop a folder with one sub-folder per class.');
  await page.fill('input[name=size]', '16');
  await page.fill('input[name=epochs]', '1');
  await page.fill('input[name=batchSize]', '4');
  await train(page);
  expect(await page.textContent('#accuracy-note')).toMatch(/^on 2 validation pictures, \d right$/);
  await page.click('#live');
  await page.waitForFunction(() => Number(document.getElementById('top')!.dataset.predictions ?? 0) >= 3, undefined, { timeout: 60_000, polling: 100 });
  const names = await page.$$eval('#top li b', (items) => items.map((b) => b.textContent).sort());
  expect(names).toEqual(['first', 'second']);
  expect(await page.textContent('#live')).toBe('Stop predicting');
  await page.screenshot({ path: 'test-results/demo-images-camera.png', fullPage: true });
  await page.click('#live');
  expect(await page.textContent('#live')).toBe('Predict from the camera');

  // A long run stopped early still ends with its evaluation, and the model predicts.
  await page.fill('input[name=epochs]', '500');
  await page.click('#start');
  await page.waitForFunction(() => Number(document.getElementById('loss-chart')!.dataset.points) >= 1, undefined, { timeout: 60_000, polling: 100 });
  await page.click('#stop');
  await page.waitForFunction(() => document.getElementById('accuracy')!.dataset.value, undefined, { timeout: 60_000, polling: 250 });
  await waitForState(page, 'ready');
  const [, done, total] = /^Done at step (\d+) of (\S+)\.$/.exec((await page.textContent('#progress-text'))!)!;
  // 7 training pictures in batches of 4: one step an epoch.
  expect(total).toBe('500');
  expect(Number(done)).toBeLessThan(500);
  expect(await page.isDisabled('#live')).toBe(false);
  expect(problems).toEqual([]);
}, 300_000);
