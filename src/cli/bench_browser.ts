// The benchmark's browser section: this engine and TensorFlow.js, each on a fresh page of the benchmark
// page (bench/) in one headless Chromium, so the figures compare like with like on the browser's adapter.
import type { Browser, Page } from 'playwright-core';
import type { EngineBenchOptions, EngineReport } from '../bench/measure_engine';
import type { TfjsBackend, TfjsBenchOptions, TfjsReport, Unavailable } from '../bench/tfjs_report';
import { launchBrowser, serveRepository } from './browser';

export interface BrowserBenchOptions {
  engine: EngineBenchOptions;
  tfjs: TfjsBenchOptions;
  tfjsBackends: readonly TfjsBackend[];
  /** Called as each measurement starts: they take minutes on a software adapter. */
  onStart?: (what: string) => void;
}

/** How long the page may take to load (Vite bundles TF.js on first use). */
const PAGE_READY_MS = 120_000;

/** This engine's figures divided by TF.js's: above 1, this engine is faster. */
export interface Ratio {
  train: number;
  eval: number;
}

export interface BrowserReport {
  /** Name and version, e.g. "Chromium 156.0.8078.108 (headless)". */
  browser: string;
  engine: (EngineReport & { available: true }) | Unavailable;
  tfjs: Array<(TfjsReport & { ours_over_theirs: Ratio | null }) | (Unavailable & { backend: TfjsBackend })>;
}

export async function benchInBrowser(options: BrowserBenchOptions): Promise<BrowserReport> {
  const { server, url } = await serveRepository();
  try {
    const browser = await launchBrowser();
    try {
      const page = `${url}/bench/index.html`;
      options.onStart?.('this engine in Chromium');
      const engine = await onFreshPage(browser, page, (p) => p.evaluate((o) => window.benchEngine(o), options.engine));
      const tfjs: BrowserReport['tfjs'] = [];
      for (const backend of options.tfjsBackends) {
        options.onStart?.(`TensorFlow.js ${backend} in Chromium`);
        const report = await onFreshPage(browser, page, (p) => p.evaluate(([b, o]) => window.benchTfjs(b, o), [backend, options.tfjs] as const));
        tfjs.push(report.available ? { ...report, ours_over_theirs: engine.available ? ratio(engine, report) : null } : { ...report, backend });
      }
      return { browser: `Chromium ${browser.version()} (headless)`, engine, tfjs };
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}

function ratio(ours: EngineReport, theirs: TfjsReport): Ratio {
  return { train: ours.train_samples_per_s / theirs.train_samples_per_s, eval: ours.eval_images_per_s / theirs.eval_images_per_s };
}

/**
 * Runs `measure` on a new page of `url`, so no measurement inherits another's state, memory or failure;
 * a page that fails (a crash, an exception) becomes a report of why.
 */
async function onFreshPage<T>(browser: Browser, url: string, measure: (page: Page) => Promise<T>): Promise<T | Unavailable> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: PAGE_READY_MS });
    return await measure(page);
  } catch (e) {
    return { available: false, reason: (e as Error).message.split('\n')[0] };
  } finally {
    await page.close();
  }
}
