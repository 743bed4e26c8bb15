// Headless Chromium for the browser tests: the system browser (Debian's chromium, or $CHROME_PATH),
// driven by playwright-core, with WebGPU on its SwiftShader adapter. No browser is downloaded.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';

export async function launchBrowser(options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      ...(options.webgpu === false ? [] : ['--enable-unsafe-webgpu']),
      '--no-sandbox',
      // No network here: without these Chromium keeps trying to reach it. Playwright gives each
      // launch a fresh, empty profile of its own.
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}

/** Serves the repository root with Vite (so pages import the engine's TypeScript directly). */
export async function serveRepository(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({ root: '.', configFile: 'vite.config.ts', mode: 'browser-test', server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report its port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/** For a test file: the repository served and a WebGPU browser launched before its tests, closed after. */
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
