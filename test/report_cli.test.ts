// `npm run train -- --report FILE` end to end: a short run of the bundled CLI writes the page, which Chromium
// opens from disk (file://) with no console error and no request but the file itself, and whose charts
// hold one point per value of the run. A page with hostile class names runs nothing. Bad paths are refused
// before any training; colour pictures decode. Set REPORT_SCREENSHOT=/some/file.png to keep screenshots
// of both pages (the second as file-hostile.png).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../src/cli/browser';
import { renderReport } from '../src/report/report';
import { HOSTILE, sampleReport } from './support/report_data';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
// Its own output folder, so the test never races a developer's `npm run train` over dist/cli.
const OUT_DIR = 'dist/cli-report-test';
/** 10 steps of 20 images, the loss and the accuracy on 100 test images every 2 steps, the final evaluation (and the map) on 300. */
const RUN = ['--limit', '400', '--batch-size', '20', '--max-steps', '10', '--eval-every', '2', '--eval-limit', '100', '--test-limit', '300', '--seed', '5', '--json'];
const RUN_TIMEOUT_S = 300;

async function cli(args: string[], timeoutSeconds = 60): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`${OUT_DIR}/train.js`, ...args], { cwd: ROOT, timeout: timeoutSeconds * 1000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Opens `file` from disk, recording console errors and warnings, page errors, dialogs and every request. */
async function openFromDisk(browser: Browser, file: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && problems.push(`console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems, requests };
}

/** The number of points of each chart, as the browser parsed the page. */
function countPoints(page: Page) {
  return page.evaluate(() => {
    const all = (selector: string) => document.querySelectorAll(selector).length;
    const images = [...document.querySelectorAll<HTMLImageElement>('.mistake img')];
    return {
      loss: all('#loss .point'), accuracy: all('#accuracy .point'), confusion: all('#confusion td'), perClass: all('#per-class .point'),
      mistakes: images.length, decoded: images.filter((i) => i.complete && i.naturalWidth === 28 && i.naturalHeight === 28).length, map: all('#map .point'),
      headline: document.querySelector('.headline')?.textContent ?? '',
    };
  });
}

describe('npm run train -- --report', () => {
  const folder = mkdtempSync(join(tmpdir(), 'report-cli-'));
  let browser: Browser | undefined;
  beforeAll(async () => {
    await run('npx', ['vite', 'build', '--mode', 'cli', '--logLevel', 'warn', '--outDir', OUT_DIR], { cwd: ROOT });
    browser = await launchBrowser({ webgpu: false });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it.each([
    [['--report', '/no-such-folder/report.html'], 1, /^train: report "\/no-such-folder\/report\.html": the folder \/no-such-folder does not exist\. Create it first/],
    [['--report', tmpdir()], 1, /: it is a folder\. Give the path of a file to write/],
    [['--report='], 2, /--report needs a file name/],
  ])('refuses %j before training, with exit code %i', async (args, exitCode, message) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(exitCode);
    expect(stdout).not.toContain('Training the');
    expect(stderr).toMatch(message);
  });

  it('writes a report that opens from disk, with a point for every value of the run', async () => {
    const file = join(folder, 'run.html');
    const outcome = await cli([...RUN, '--report', file], RUN_TIMEOUT_S);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(new RegExp(`^Wrote the report ${file} \\(\\d+\\.\\d MB\\) in \\d+\\.\\d s, \\d+\\.\\d s of it laying out the map by UMAP$`, 'm'));
    expect(statSync(file).size).toBeGreaterThan(0);
    const summary = JSON.parse(outcome.stdout.trimEnd().split('\n').at(-1)!);
    const logs = outcome.stdout.split('\n').filter((l) => l.startsWith('Epoch ['));
    expect(logs).toHaveLength(5);

    const { page, problems, requests } = await openFromDisk(browser!, file);
    try {
      const points = await countPoints(page);
      const mistakes = summary.test_count - summary.test_correct;
      expect(points).toEqual({
        loss: logs.length, accuracy: logs.length + 1, confusion: 100, perClass: 10, mistakes: Math.min(40, mistakes), decoded: Math.min(40, mistakes), map: 300,
        headline: `${(100 * summary.test_accuracy).toFixed(2)}% of 300 test images right after 10 steps`,
      });
      // Drawn where a person sees them: inside the charts' boxes, not collapsed to nothing.
      for (const chart of ['#loss svg', '#accuracy svg', '#per-class svg', '#map svg', '#confusion table']) {
        const box = await page.locator(chart).boundingBox();
        expect(box!.width * box!.height, chart).toBeGreaterThan(10_000);
      }
      if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href, ...requests.slice(1).filter((r) => r.startsWith('data:image/png;base64,'))]);
    } finally {
      await page.close();
    }
  }, (RUN_TIMEOUT_S + 60) * 1000);

  it('shows hostile class names as text in Chromium, running nothing', async () => {
    const file = join(folder, 'hostile.html');
    // Colour pictures (3 × 12 × 10), which Chromium must decode too.
    const data = sampleReport({ classes: 3, count: 90, logs: 4, mapped: 90, shown: 12, classNames: [HOSTILE, '<b>bold</b>', 'plain'], shape: [3, 12, 10] });
    writeFileSync(file, renderReport(data));
    const { page, problems } = await openFromDisk(browser!, file);
    try {
      const got = await page.evaluate(() => ({
        foreignImages: document.querySelectorAll('img:not([src^="data:image/png;base64,"])').length,
        decoded: [...document.querySelectorAll<HTMLImageElement>('.mistake img')].map((i) => `${i.naturalWidth}×${i.naturalHeight}`),
        bold: document.querySelectorAll('b').length - document.querySelectorAll('.mistake b').length,
        legend: [...document.querySelectorAll('#map .legend li')].map((li) => li.textContent),
        header: [...document.querySelectorAll('#confusion th[scope="col"]')].map((th) => th.textContent),
      }));
      if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT.replace(/(\.png)?$/, '-hostile.png'), fullPage: true });
      expect(got).toEqual({ foreignImages: 0, decoded: new Array(12).fill('10×12'), bold: 0, legend: [HOSTILE, '<b>bold</b>', 'plain', 'misclassified'], header: [HOSTILE, '<b>bold</b>', 'plain'] });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
