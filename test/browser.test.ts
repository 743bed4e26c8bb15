// The same engine in headless Chromium (SwiftShader): a training step of the reference CNN equals the
// float64 reference, and a browser without WebGPU gets a typed, readable error.
import { expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { Random } from '../src/random';
import { expectClose, f64 } from './support/compare';
import { launchBrowser } from '../src/cli/browser';
import { browserOnRepository } from './support/browser';
import { cnnLossAndGradients, type CnnParams } from './reference/reference_cnn';

const session = browserOnRepository();

async function openPage(b: Browser) {
  const page = await b.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${session.url()}/test/browser/engine.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
  return { page, errors };
}

test('one training step in Chromium equals the float64 reference', async () => {
  const { page, errors } = await openPage(session.browser());
  const random = new Random(5);
  const samples = Array.from({ length: 2 * 784 }, () => random.below(256));
  const labels = [3, 8];
  const got = (await page.evaluate(([s, l]) => window.oneStep(s, l), [samples, labels] as const)) as {
    adapter: { label: string }; loss: number; initial: Record<string, number[]>; grads: Record<string, number[]>;
  };
  expect(got.adapter.label.length).toBeGreaterThan(0);
  const params = Object.fromEntries(Object.entries(got.initial).map(([k, v]) => [k, f64(v)])) as unknown as CnnParams;
  const ref = cnnLossAndGradients(2, f64(samples).map((v) => v / 255), labels, params);
  expectClose('loss', [got.loss], [ref.loss]);
  for (const [name, grad] of Object.entries(ref.grads)) expectClose(`${name} gradient`, got.grads[name], grad);
  expect(errors).toEqual([]);
});

test('without WebGPU the engine throws a NoAdapterError that says what to enable', async () => {
  const plain = await launchBrowser({ webgpu: false });
  try {
    const { page } = await openPage(plain);
    const got = (await page.evaluate(() => window.openEngine())) as { ok: boolean; name: string; message: string; typed: boolean };
    expect(got.ok).toBe(false);
    expect(got.typed).toBe(true);
    expect(got.name).toBe('NoAdapterError');
    expect(got.message).toMatch(/enable-unsafe-webgpu|navigator\.gpu/);
  } finally {
    await plain.close();
  }
});
