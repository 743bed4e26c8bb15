// The GPU benchmark kit (scripts/gpu_kit/) as far as a machine without a GPU allows: an archive built from this
// machine's own Node and Vulkan loader (`build.mjs --local`: no downloads; the pinned Node package and
// `apt-get download` are not exercised here), unpacked into a temporary folder and run from there with
// lavapipe forced and tiny settings, then asked for the GPU. What only a GPU machine shows (the NVIDIA
// driver found, CUDA PyTorch, torch.compile) is not covered.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const KIT = 'webgpu-cnn-gpu-kit';
/** The run's tiny settings: one timed step of 4 images, 20 test images; PyTorch on the CPU where it is installed. */
const TINY = ['--steps', '1', '--batch-size', '4', '--eval-images', '20', '--torch-device', 'cpu'];
/** The machine's device files and libraries of an NVIDIA driver: where they exist, "no driver" cannot be shown. */
const HAS_NVIDIA = ['/dev/nvidia0', '/usr/local/nvidia', '/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0'].some(existsSync);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(command: string, args: string[], timeoutSeconds: number): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd: ROOT, timeout: timeoutSeconds * 1000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    if (failed.killed) throw new Error(`${command} ${args.join(' ')} ran past ${timeoutSeconds} s\n${failed.stdout}\n${failed.stderr}`);
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The first Python here that imports torch, or undefined (then the kit must say PyTorch is missing). */
async function pythonWithTorch(): Promise<string | undefined> {
  for (const python of ['python3', '/usr/bin/python3']) {
    if ((await sh(python, ['-c', 'import torch'], 60).catch(() => ({ code: 1 }))).code === 0) return python;
  }
  return undefined;
}

describe('GPU benchmark kit', () => {
  let folder: string;
  let runSh: string;
  let build: Outcome;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'gpu-kit-test-'));
    const archive = join(folder, `${KIT}.tar.gz`);
    build = await sh(process.execPath, ['scripts/gpu_kit/build.mjs', '--local', '--train-images', '2000', '--level', '1', '--out', archive], 300);
    if (build.code !== 0) throw new Error(`build.mjs failed:\n${build.stdout}\n${build.stderr}`);
    await exec('tar', ['-xzf', archive, '-C', folder]);
    runSh = join(folder, KIT, 'run.sh');
  }, 300_000);

  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('builds one archive under the limit and prints its size, its contents and the README\'s command to run it', () => {
    expect(build.stdout).toMatch(/\.tar\.gz: [\d.]+ MB \(gzip -1; the limit is 50\.0 MB\)/);
    const command = build.stdout.match(/^Run it there: (.+)$/m)?.[1];
    expect(command).toBeDefined();
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\`\`\`sh\n${command}\n\`\`\``);
    for (const part of ['bin/node', 'dawn.node', 'MNIST', 'CLI (dist/cli)', 'Vulkan loader']) expect(build.stdout).toContain(part);
    const manifest = JSON.parse(readFileSync(join(folder, KIT, 'KIT.json'), 'utf8'));
    expect(manifest.mnist).toEqual({ package: '1.2.6', train_images: 2000, test_images: 10000 });
    expect(manifest.libraries.map((l: { package: string }) => l.package)).toEqual(['libvulkan1', 'libglvnd0']);
    // The unpacked kit has everything it runs with: nothing is looked up in this repository.
    for (const file of ['bin/node', 'lib/libvulkan.so.1', 'lib/fallback/libGLdispatch.so.0', 'app/dist/cli/bench.js', 'app/node_modules/webgpu/dist/linux-x64/dawn.node', 'torch/torch_bench.py', 'torch/make_small_resnet_fixture.py']) {
      expect(existsSync(join(folder, KIT, file)), file).toBe(true);
    }
  });

  it('runs bench on lavapipe when told to, with the kit\'s own Vulkan loader, and writes each result', async () => {
    const out = join(folder, 'lavapipe-results');
    const python = await pythonWithTorch();
    const run = await sh(runSh, ['--adapter', 'lavapipe', '--out', out, '--python', python ?? 'python3', ...TINY], 400);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/adapter-probe: ok .*llvmpipe/);
    expect(run.stdout).toMatch(/network\s+run\s+step ms\s+samples\/s\s+epoch s/);

    const env = readFileSync(join(out, 'env.txt'), 'utf8');
    expect(env).toContain(join(folder, KIT, 'lib/libvulkan.so.1'));
    const bench = JSON.parse(readFileSync(join(out, 'engine-reference.json'), 'utf8'));
    expect(bench.adapters[0].adapter).toMatch(/llvmpipe/);
    expect(bench.adapters[0].batch_size).toBe(4);
    expect(bench.adapters[0].train_samples_per_s).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/reference\s+this engine \(WebGPU\)\s+[\d.]+\s+\d+/);
    // Before and after `bench --model` exists: measured, or skipped with the reason.
    if (existsSync(join(out, 'engine-small-resnet.json'))) {
      expect(run.stdout).toMatch(/small-resnet\s+this engine \(WebGPU\)/);
    } else {
      expect(run.stdout).toMatch(/engine-small-resnet: skipped .*no --model option/);
    }
    if (python) {
      const torch = JSON.parse(readFileSync(join(out, 'torch-small-resnet.json'), 'utf8'));
      expect(torch.device).toBe('cpu');
      expect(torch.results[0]).toMatchObject({ model: 'small-resnet', batch_size: 4, steps: 1 });
      expect(run.stdout).toMatch(/small-resnet\s+PyTorch \S+ eager/);
    } else {
      expect(run.stdout).toMatch(/torch-reference: skipped .*PyTorch is not importable/);
    }
    // What comes back from a GPU machine is at most 8 files, no folders.
    const files = readdirSync(out);
    expect(files.length).toBeLessThanOrEqual(8);
    expect(files).toEqual(expect.arrayContaining(['env.txt', 'log.txt', 'summary.txt', 'engine-reference.json']));
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toContain('engine-reference     ok');
  }, 420_000);

  it.skipIf(HAS_NVIDIA)('says there is no NVIDIA driver when asked for the GPU on a machine without one', async () => {
    const out = join(folder, 'gpu-results');
    const run = await sh(runSh, ['--adapter', 'gpu', '--out', out, '--no-torch', ...TINY], 120);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/engine-reference: skipped \(0 s\) - no NVIDIA driver: no nvidia_icd\.json/);
    expect(run.stdout).toMatch(/run\.sh: this engine did not run: no NVIDIA driver/);
    expect(readdirSync(out).sort()).toEqual(['env.txt', 'log.txt', 'summary.txt']);
  }, 120_000);

  it('refuses options it does not know, changing nothing', async () => {
    for (const [args, message] of [[['--adapter', 'cuda'], /--adapter is "cuda"; it must be gpu, lavapipe or swiftshader/], [['--steps', '0'], /--steps is "0"; it must be a positive integer/], [['--bogus'], /unknown option --bogus/]] as const) {
      const run = await sh(runSh, [...args, '--out', join(folder, 'refused')], 30);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(existsSync(join(folder, 'refused'))).toBe(false);
  });
});
