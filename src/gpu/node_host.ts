// Node host: finds a WebGPU adapter through Dawn (the `webgpu` package). On a machine without a GPU
// driver, Dawn needs a software Vulkan driver: Mesa's lavapipe (25 or newer; Debian 12's 22.3 is
// rejected by Dawn) or SwiftShader, which Debian's chromium package ships.
import { existsSync } from 'node:fs';
import type { TuningStore } from './autotune';
import { Engine } from './engine';
import { NoAdapterError } from './errors';
import { fileTuningStore } from './node_tuning_store';

export type AdapterChoice = 'auto' | 'gpu' | 'lavapipe' | 'swiftshader';

export interface NodeEngineOptions {
  /** Which adapter to use; defaults to $WEBGPU_ADAPTER, else 'auto' (a real GPU, then lavapipe, then SwiftShader). */
  adapter?: AdapterChoice;
  /** Where kernel-variant choices are remembered; defaults to ~/.cache/webgpu-cnn/autotune.json. */
  tuningStore?: TuningStore;
}

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json'];
const LAVAPIPE_ICDS = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'];

const INSTALL_HINT =
  'On Debian 12 install Mesa 25 from bookworm-backports (apt-get install -t bookworm-backports mesa-vulkan-drivers) ' +
  'or SwiftShader with the chromium package (apt-get install chromium); on Debian 13 or Ubuntu 24.04, mesa-vulkan-drivers. ' +
  'Set WEBGPU_ADAPTER=lavapipe|swiftshader|gpu to choose one.';

const CHOICES: readonly AdapterChoice[] = ['auto', 'gpu', 'lavapipe', 'swiftshader'];

function isSoftware(info: GPUAdapterInfo): boolean {
  return /swiftshader|llvmpipe/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

async function requestWith(icd: string | undefined, accept: (info: GPUAdapterInfo) => boolean): Promise<[GPUAdapter, GPU] | null> {
  // The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so set it first.
  const previous = process.env.VK_ICD_FILENAMES;
  if (icd) process.env.VK_ICD_FILENAMES = icd;
  try {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu: GPU = create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
    return adapter && accept(adapter.info) ? [adapter, gpu] : null;
  } finally {
    if (icd) {
      if (previous === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = previous;
    }
  }
}

/** Creates an engine in Node on the chosen adapter, or the best one present. */
export async function createNodeEngine(options: NodeEngineOptions = {}): Promise<Engine> {
  const choice = (options.adapter ?? process.env.WEBGPU_ADAPTER ?? 'auto') as AdapterChoice;
  if (!CHOICES.includes(choice)) {
    throw new NoAdapterError(`unknown adapter "${choice}"; valid: ${CHOICES.join(', ')}`);
  }
  const lavapipe = LAVAPIPE_ICDS.find(existsSync);
  const swiftshader = SWIFTSHADER_ICDS.find(existsSync);
  const attempts: Array<[string | undefined, (info: GPUAdapterInfo) => boolean]> = [];
  if (choice === 'gpu' || choice === 'auto') attempts.push([undefined, (info) => !isSoftware(info)]);
  if ((choice === 'lavapipe' || choice === 'auto') && lavapipe) attempts.push([lavapipe, (info) => /llvmpipe/i.test(info.description + info.architecture)]);
  if ((choice === 'swiftshader' || choice === 'auto') && swiftshader) attempts.push([swiftshader, (info) => /swiftshader/i.test(info.vendor + info.architecture + info.description)]);
  for (const [icd, accept] of attempts) {
    const found = await requestWith(icd, accept);
    if (found) return Engine.fromAdapter(found[0], found[1], options.tuningStore ?? fileTuningStore());
  }
  const found = [lavapipe && 'lavapipe', swiftshader && 'SwiftShader'].filter(Boolean).join(' and ') || 'no software Vulkan driver';
  throw new NoAdapterError(`no WebGPU adapter for "${choice}" (found ${found}). ${INSTALL_HINT}`);
}
