// The GPU kit's first look at the adapter: what Dawn finds through the Vulkan driver that run.sh chose
// (VK_ICD_FILENAMES), and which Vulkan loader the process loaded, before any benchmark time is spent.
// Prints one JSON object; exits 1 when Dawn finds no adapter. Run from the kit: bin/node adapter_probe.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const LIMITS = ['maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension'];

// Resolved from the kit's app/ folder, where the CLI finds it too.
const { create } = await import(createRequire(new URL('app/package.json', import.meta.url)).resolve('webgpu'));
const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const loaded = readFileSync('/proc/self/maps', 'utf8').split('\n').map((line) => line.split(/\s+/)[5]).filter((path) => path && /libvulkan\.so/.test(path));
const report = {
  icd_files: process.env.VK_ICD_FILENAMES ?? null,
  vulkan_loader: [...new Set(loaded)],
  adapter: adapter && {
    vendor: adapter.info.vendor,
    architecture: adapter.info.architecture,
    device: adapter.info.device,
    description: adapter.info.description,
    features: [...adapter.features].sort(),
    limits: Object.fromEntries(LIMITS.map((name) => [name, adapter.limits[name]])),
  },
};
console.log(JSON.stringify(report, null, 2));
// Dawn keeps the event loop alive while its instance lives.
process.exit(adapter ? 0 : 1);
