// `npm run bench`'s browser section, briefly: this engine and TF.js's three backends in headless Chromium,
// one timed step each on small batches. Checks the report, that TF.js trained the same network (as many
// parameters) to a finite loss, and that a backend that cannot start is reported, not fatal. No timing
// is asserted: the figures are the benchmark's to print.
import { expect, test } from 'vitest';
import { TFJS_BACKENDS } from '../src/bench/tfjs_report';
import { launchBrowser, serveRepository } from '../src/cli/browser';
import { benchInBrowser } from '../src/cli/bench_browser';

/** conv1 16·(1·5·5) + 16, conv2 32·(16·5·5) + 32, out 10·(32·7·7) + 10. */
const PARAMETERS = 16 * 1 * 5 * 5 + 16 + (32 * 16 * 5 * 5 + 32) + (10 * 32 * 7 * 7 + 10);
/** Small batches and few test images: TF.js's WebGPU backend takes seconds per step of 50 on SwiftShader. */
const BRIEF = { steps: 1, batchSize: 10, evalImages: 20 };
const SECTION_MS = 600_000;

const positive = (x: number) => Number.isFinite(x) && x > 0;

test('this engine and TF.js webgpu, webgl and cpu train the same network in one browser', async () => {
  const report = await benchInBrowser({ engine: BRIEF, tfjs: BRIEF, tfjsBackends: TFJS_BACKENDS });
  expect(report.browser).toMatch(/^Chromium \d/);
  const engine = report.engine;
  if (!engine.available) throw new Error(`this engine did not run: ${engine.reason}`);
  expect(engine).toMatchObject({ parameters: PARAMETERS, batch_size: BRIEF.batchSize, steps: 1, eval_images: BRIEF.evalImages });
  expect(['timestamp-query', 'wall clock']).toContain(engine.timing);
  expect(Number.isFinite(engine.final_loss)).toBe(true);
  expect([engine.train_samples_per_s, engine.eval_images_per_s, engine.matmul_gflops, engine.predict_ms_p50, engine.predict_ms_p95].every(positive)).toBe(true);
  expect(engine.predict_ms_p95).toBeGreaterThanOrEqual(engine.predict_ms_p50);
  expect(engine.kernels.length).toBeGreaterThan(0);

  expect(report.tfjs.map((t) => t.backend)).toEqual([...TFJS_BACKENDS]);
  for (const t of report.tfjs) {
    if (!t.available) throw new Error(`TF.js ${t.backend} did not run: ${t.reason}`);
    expect(t).toMatchObject({ parameters: PARAMETERS, batch_size: BRIEF.batchSize, steps: 1, eval_images: BRIEF.evalImages });
    expect(Number.isFinite(t.final_loss)).toBe(true);
    expect(t.adapter).not.toBe('');
    expect([t.train_samples_per_s, t.eval_images_per_s, t.ours_over_theirs!.train, t.ours_over_theirs!.eval].every(positive)).toBe(true);
  }
}, SECTION_MS);

test('in a browser without WebGPU, TF.js webgpu is reported unavailable with the reason', async () => {
  const { server, url } = await serveRepository();
  const browser = await launchBrowser({ webgpu: false });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/bench/index.html`);
    await page.waitForFunction(() => document.title === 'ready');
    const got = await page.evaluate((o) => window.benchTfjs('webgpu', o), BRIEF);
    expect(got).toMatchObject({ backend: 'webgpu', available: false });
    expect(got.available || got.reason).toMatch(/no WebGPU adapter/);
  } finally {
    await browser.close();
    await server.close();
  }
});
