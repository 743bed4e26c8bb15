// The demo pages under test: served with the demo's own Vite config, and watched for what must not happen.
import type { Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

/** The demo (root demo/) as `npm run demo` serves it; `url` ends with "/". No file watching or hot
 *  reload: an edit elsewhere in the tree must not reload a page mid-run. */
export async function serveDemo(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1', hmr: false, watch: null }, logLevel: 'warn' });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report its port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/** Collects into `problems`: page errors, console errors, dialogs (dismissed), and requests to anywhere
 *  but `url` (the page's own server) and data:/blob: URLs, since the pages work offline. */
export function watchPage(page: Page, problems: string[], url: string): void {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    const target = r.url();
    if (!target.startsWith(url) && !target.startsWith('data:') && !target.startsWith('blob:')) problems.push(`request off the page's server: ${target}`);
  });
}
