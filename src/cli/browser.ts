// Headless Chromium on WebGPU, for the benchmark's browser section and the browser tests: the system
// browser (Debian's chromium, or $CHROME_PATH) driven by playwright-core, on its SwiftShader adapter, and
// the repository served by Vite so pages import the engine's TypeScript directly. No browser is downloaded.
// Both packages are loaded when first used, so the built `bench` command runs its Node section where only
// Node, Dawn and MNIST are installed (the GPU benchmark kit, scripts/gpu_kit/).
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';

export async function launchBrowser(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
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

/**
 * Serves the repository root (the current directory, as `npm run` and the test runner set it) with Vite.
 * No file watching or hot reload: an edit elsewhere in the tree during a long run must not reload a page
 * in the middle of a measurement.
 */
export async function serveRepository(): Promise<{ server: ViteDevServer; url: string }> {
  const { createServer } = await import('vite');
  const server = await createServer({
    root: '.', configFile: 'vite.config.ts', mode: 'browser-test', server: { port: 0, host: '127.0.0.1', hmr: false, watch: null }, logLevel: 'warn',
  });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report its port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}
