// The browser tests' session: the repository served and a WebGPU Chromium launched before a test file's
// tests, closed after (src/cli/browser.ts says how; the benchmark uses the same).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { ViteDevServer } from 'vite';
import { launchBrowser, serveRepository } from '../../src/cli/browser';

export function browserOnRepository(): { browser: () => Browser; url: () => string } {
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  let url = '';
  beforeAll(async () => {
    ({ server, url } = await serveRepository());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return { browser: () => browser!, url: () => url };
}
