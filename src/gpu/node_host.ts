// Node host: finds a WebGPU adapter through Dawn (the `webgpu` package, an optional peer dependency:
// only Node programs need it). On a machine without a GPU driver, Dawn needs a software Vulkan driver:
// Mesa's lavapipe (25 or newer; Debian 12's 22.3 is rejected by Dawn) or SwiftShader, which Debian's
// chromium package ships.
//
// A guest in its host: nothing is added to globalThis (the engine's code never reads the WebGPU
// constants from globals; the build writes their values in), and the one environment variable Dawn's
// Vulkan loader must see, VK_ICD_FILENAMES, is set only while Dawn opens its instance, then restored.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TuningStore } from './autotune';
import { Engine } from './engine';
import { NoAdapterError } from './errors';
import { napWhileWaiting } from './node_waiting';

export type AdapterChoice = 'auto' | 'gpu' | 'lavapipe' | 'swiftshader';

export interface NodeEngineOptions {
  /** Which adapter to use; defaults to $WEBGPU_ADAPTER, else 'auto' (a real GPU, then lavapipe, then SwiftShader). */
  adapter?: AdapterChoice;
  /**
   * Where kernel-variant choices are remembered between processes. By default nothing is written:
   * choices last as long as the engine. `fileTuningStore()` keeps them in
   * ~/.cache/webgpu-cnn/autotune.json (what `npm run train` and `npm run bench` use).
   */
  tuningStore?: TuningStore;
}

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json'];
const LAVAPIPE_ICDS = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'];
/** Where the Vulkan loader looks for drivers on Linux when no variable names them. */
const ICD_FOLDERS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

const INSTALL_HINT =
  'On Debian 12 install Mesa 25 from bookworm-backports (apt-get install -t bookworm-backports mesa-vulkan-drivers) ' +
  'or SwiftShader with the chromium package (apt-get install chromium); on Debian 13 or Ubuntu 24.04, mesa-vulkan-drivers. ' +
  'Set WEBGPU_ADAPTER=lavapipe|swiftshader|gpu to choose one.';

const CHOICES: readonly AdapterChoice[] = ['auto', 'gpu', 'lavapipe', 'swiftshader'];

type Dawn = { create(options: string[]): GPU };

function isSoftware(info: GPUAdapterInfo): boolean {
  return /swiftshader|llvmpipe/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

async function loadDawn(): Promise<Dawn> {
  try {
    return (await import('webgpu')) as Dawn;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test((e as Error).message)) {
      throw new NoAdapterError(
        'createNodeEngine needs the npm package "webgpu" (Dawn for Node), an optional peer dependency of webgpu-cnn ' +
          'that browser apps do not install. Install it beside webgpu-cnn: npm install webgpu@0.6.2',
      );
    }
    throw e;
  }
}

/** Device nodes through which Vulkan drivers reach a GPU on Linux (Mesa, NVIDIA, WSL). */
const GPU_DEVICES = [['/dev/dri', /^renderD\d+$/], ['/dev', /^nvidia\d+$|^dxg$/]] as const;

/**
 * The Vulkan drivers a search for a real GPU should see on Linux: every installed one but the software
 * ones, and none where the machine has no GPU device node. Dawn prints on stderr whenever it opens
 * lavapipe (two "maxDynamic… artificially reduced" warnings: lavapipe reports 1,000,000 dynamic
 * buffers, Dawn caps them at 16) and when a search finds no device at all ("Failed to detect any
 * valid GPUs"), so each driver is opened only when it may be the adapter that runs the work.
 * Undefined: let Dawn look everywhere (other systems, or the user named the drivers); empty: no GPU.
 */
function hardwareIcds(): string | undefined {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return undefined;
  const hasGpu = GPU_DEVICES.some(([folder, name]) => {
    try {
      return readdirSync(folder).some((f) => name.test(f));
    } catch {
      return false;
    }
  });
  if (!hasGpu) return '';
  const files = ICD_FOLDERS.flatMap((folder) => {
    try {
      return readdirSync(folder).filter((f) => f.endsWith('.json') && !/^lvp_icd|swiftshader/.test(f)).map((f) => join(folder, f));
    } catch {
      return [];
    }
  });
  return files.join(':');
}

/** Adapter searches in this process, one at a time: each sets and restores VK_ICD_FILENAMES around an await. */
let searching: Promise<unknown> = Promise.resolve();

function requestWith(dawn: Dawn, icd: string | undefined, accept: (info: GPUAdapterInfo) => boolean): Promise<[GPUAdapter, GPU] | null> {
  const search = async (): Promise<[GPUAdapter, GPU] | null> => {
    // The Vulkan loader reads VK_ICD_FILENAMES when Dawn lists adapters, in requestAdapter.
    const previous = process.env.VK_ICD_FILENAMES;
    if (icd !== undefined) process.env.VK_ICD_FILENAMES = icd;
    try {
      const gpu = dawn.create([]);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
      return adapter && accept(adapter.info) ? [adapter, gpu] : null;
    } finally {
      if (icd !== undefined) {
        if (previous === undefined) delete process.env.VK_ICD_FILENAMES;
        else process.env.VK_ICD_FILENAMES = previous;
      }
    }
  };
  const result = searching.then(search, search);
  searching = result.catch(() => undefined);
  return result;
}

/** Creates an engine in Node on the chosen adapter, or the best one present. */
export async function createNodeEngine(options: NodeEngineOptions = {}): Promise<Engine> {
  const choice = (options.adapter ?? process.env.WEBGPU_ADAPTER ?? 'auto') as AdapterChoice;
  if (!CHOICES.includes(choice)) {
    throw new NoAdapterError(`unknown adapter "${choice}"; valid: ${CHOICES.join(', ')}`);
  }
  const dawn = await loadDawn();
  const lavapipe = LAVAPIPE_ICDS.find(existsSync);
  const swiftshader = SWIFTSHADER_ICDS.find(existsSync);
  const hardware = hardwareIcds();
  const attempts: Array<[string | undefined, (info: GPUAdapterInfo) => boolean]> = [];
  // An empty list: Linux with no hardware Vulkan driver installed, so no real GPU to find.
  if ((choice === 'gpu' || choice === 'auto') && hardware !== '') attempts.push([hardware, (info) => !isSoftware(info)]);
  if ((choice === 'lavapipe' || choice === 'auto') && lavapipe) attempts.push([lavapipe, (info) => /llvmpipe/i.test(info.description + info.architecture)]);
  if ((choice === 'swiftshader' || choice === 'auto') && swiftshader) attempts.push([swiftshader, (info) => /swiftshader/i.test(info.vendor + info.architecture + info.description)]);
  for (const [icd, accept] of attempts) {
    const found = await requestWith(dawn, icd, accept);
    if (found) return Engine.fromAdapter(found[0], found[1], options.tuningStore, napWhileWaiting);
  }
  const found = [lavapipe && 'lavapipe', swiftshader && 'SwiftShader'].filter(Boolean).join(' and ') || 'no software Vulkan driver';
  throw new NoAdapterError(`no WebGPU adapter for "${choice}" (found ${found}). ${INSTALL_HINT}`);
}
