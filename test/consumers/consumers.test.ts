// The package as an app gets it: `npm pack`, then each example app in examples/ installs the tarball
// into a fresh folder (only what the app's package.json asks for, from the npm cache), type-checks with
// strict settings and no skipLibCheck, builds, and trains. The Node app under nodenext, node16 and
// bundler resolution, without the DOM library; the Vite app in headless Chromium, on the page and in
// a Web Worker, with its bundle held to the size the README states.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build } from 'vite';
import { launchBrowser } from '../../src/cli/browser';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** What Dawn prints whenever it opens lavapipe (see src/gpu/node_host.ts); nothing else may appear. */
const DAWN_LAVAPIPE = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to 16 to fit dynamic offset allocation limit\.$/;

const work = mkdtempSync(join(tmpdir(), 'webgpu-cnn-consumers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let tarball = '';

/** A copy of examples/<name> with the packed package installed, as `npm install` gives a user. */
async function app(name: string, extra: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  cpSync(join(ROOT, 'examples', name), dir, { recursive: true, filter: (f) => !/node_modules|dist$/.test(f) });
  for (const [from, to] of Object.entries(extra)) cpSync(join(ROOT, 'test/consumers', from), join(dir, to));
  // Tools (tsc, vite) come from this repository: the app gets what it runs with, as a user's build would ship.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', tarball], { cwd: dir });
  return dir;
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const path = join(dir, e.name);
    return sum + (e.isDirectory() ? folderBytes(path) : e.isFile() ? statSync(path).size : 0);
  }, 0);
}

function stderrBesidesDawn(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line && !DAWN_LAVAPIPE.test(line));
}

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, maxBuffer: 1 << 24 });
  tarball = join(work, stdout.trim().split('\n').pop()!);
}, 180_000);

describe('a Node app (examples/node-app)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await app('node-app', { 'node_misuse.ts': 'src/misuse.ts', 'node_manners.mjs': 'manners.mjs' });
  }, 120_000);

  test.each([
    ['nodenext', []],
    ['node16', ['--module', 'node16', '--moduleResolution', 'node16']],
    ['bundler', ['--module', 'preserve', '--moduleResolution', 'bundler']],
  ])('type-checks strictly under %s resolution, without the DOM library', async (_, flags) => {
    // @types/node is the app's devDependency; it is taken from this repository like the tools.
    const check = run(process.execPath, [TSC, '-p', '.', '--noEmit', '--typeRoots', join(ROOT, 'node_modules/@types'), ...flags], { cwd: dir });
    await expect(check.catch((e: { stdout: string }) => Promise.reject(new Error(e.stdout)))).resolves.toBeDefined();
  });

  test('builds and trains, printing nothing on stderr but what Dawn prints for lavapipe', async () => {
    await run(process.execPath, [TSC, '-p', '.', '--typeRoots', join(ROOT, 'node_modules/@types')], { cwd: dir });
    const { stdout, stderr } = await run(process.execPath, ['dist/train.js'], { cwd: dir });
    expect(stdout).toMatch(/^adapter: .+$/m);
    expect(Number(stdout.match(/accuracy: ([\d.]+)%/)![1])).toBeGreaterThan(90);
    expect(stdout).toContain('first image: predicted 0, labelled 0');
    expect(stderrBesidesDawn(stderr)).toEqual([]);
  });

  test('leaves globalThis, process.env and the disk as they were; CommonJS can require it', async () => {
    const cache = mkdtempSync(join(work, 'cache-'));
    const { stdout } = await run(process.execPath, ['manners.mjs'], { cwd: dir, env: { ...process.env, XDG_CACHE_HOME: cache } });
    const got = JSON.parse(stdout);
    expect(Number.isFinite(got.finalLoss)).toBe(true);
    expect(got).toMatchObject({ addedGlobals: [], envChanged: false });
    // The Vulkan driver may keep its own shader cache there; the engine writes nothing unless asked.
    expect(got.cacheFiles).not.toContain('webgpu-cnn');
  });
});

describe('a Vite app (examples/vite-app) in Chromium', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await app('vite-app', { 'browser_misuse.ts': 'src/misuse.ts' });
  }, 120_000);

  test('installs under 5 MB: no Dawn, no MNIST, no WGSL parser', () => {
    expect(readdirSync(join(dir, 'node_modules')).sort()).toEqual(['.package-lock.json', '@webgpu', 'webgpu-cnn']);
    const bytes = folderBytes(join(dir, 'node_modules'));
    console.log(`browser consumer's install: ${bytes} bytes`);
    expect(bytes).toBeLessThan(5e6);
  });

  test('type-checks strictly with WebGPU types from the package alone', async () => {
    const check = run(process.execPath, [TSC, '-p', '.'], { cwd: dir });
    await expect(check.catch((e: { stdout: string }) => Promise.reject(new Error(e.stdout)))).resolves.toBeDefined();
  });

  test('builds to a page bundle of at most 40 KB gzipped, and trains on the page and in a worker', async () => {
    await build({ root: dir, logLevel: 'warn', configFile: join(dir, 'vite.config.js') });
    const assets = join(dir, 'dist/assets');
    const page = readdirSync(assets).find((f) => /^index-.*\.js$/.test(f))!;
    const bundle = readFileSync(join(assets, page));
    console.log(`page bundle: ${bundle.length} bytes minified, ${gzipSync(bundle).length} gzipped`);
    expect(gzipSync(bundle).length).toBeLessThanOrEqual(40_000);

    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
    const server = createServer((request, response) => {
      const file = join(dir, 'dist', request.url === '/' ? 'index.html' : request.url!.split('?')[0]);
      if (!existsSync(file)) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const results = async (webgpu: boolean) => {
      const browser = await launchBrowser({ webgpu });
      try {
        const tab = await browser.newPage();
        const errors: string[] = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await tab.goto(url);
        await tab.waitForFunction(() => document.body.dataset.results, undefined, { timeout: 120_000 });
        return { ...JSON.parse((await tab.evaluate(() => document.body.dataset.results))!), errors };
      } finally {
        await browser.close();
      }
    };
    try {
      const got = await results(true);
      for (const where of ['page', 'worker']) {
        const { ok, outcome } = got[where];
        expect({ where, ok }).toEqual({ where, ok: true });
        expect(outcome.losses).toHaveLength(3);
        expect(outcome.losses.every(Number.isFinite)).toBe(true);
        expect(outcome.losses[2]).toBeLessThan(outcome.losses[0]);
        expect(outcome.logits).toHaveLength(10);
        expect(outcome.parameters).toBe(28938);
      }
      expect(got.errors).toEqual([]);
      // Without WebGPU the minified bundle still throws an error that names itself.
      const without = await results(false);
      expect(without.page).toMatchObject({ ok: false, name: 'NoAdapterError' });
    } finally {
      server.close();
    }
  }, 300_000);
});
