// Checkpoints in headless Chromium: one stored in IndexedDB is there after the page reloads and gives the
// same model; the weights download as a safetensors file; a stored file that is not a checkpoint is
// refused with a typed error.
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { decodeSafetensors } from '../src/index';
import { browserOnRepository } from './support/browser';

const session = browserOnRepository();

async function ready(page: Page) {
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
}

test('a checkpoint stored in IndexedDB survives a reload; weights download as safetensors', async () => {
  const page = await session.browser().newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${session.url()}/test/browser/checkpoint.html`);
  await ready(page);

  const [download, saved] = await Promise.all([
    page.waitForEvent('download'),
    page.evaluate(() => window.trainAndStore('run')) as Promise<{ step: number; logits: number[]; weights: number[] }>,
  ]);
  expect(saved.step).toBe(5);
  expect(download.suggestedFilename()).toBe('tiny.safetensors');
  const file = new Uint8Array(await readFile(await download.path()));
  expect([...file]).toEqual(saved.weights);
  expect([...decodeSafetensors(file).tensors.keys()]).toEqual(['conv.bias', 'conv.weight', 'fc.bias', 'fc.weight']);

  await page.reload();
  await ready(page);
  const loaded = (await page.evaluate(() => window.loadStored('run'))) as { found: boolean; step: number; logits: number[] };
  expect(loaded).toEqual({ found: true, step: 5, logits: saved.logits });
  expect(await page.evaluate(() => window.loadStored('nothing here'))).toMatchObject({ found: false, step: 0 });

  await page.evaluate(() => window.storeGarbage('garbage'));
  // "not a che" read as a little-endian u64 is a header of about 7.5e18 bytes.
  expect(await page.evaluate(() => window.loadStored('garbage'))).toEqual({
    error: expect.stringMatching(/^IndexedDB "garbage": the header length is \d{19} bytes, over the limit of 100000000 \(header-too-large\)$/),
    reason: 'header-too-large',
  });
  expect(errors).toEqual([]);
  await page.close();
});
