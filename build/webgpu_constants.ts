// The WebGPU constants the engine's code names (GPUBufferUsage.STORAGE, …), as the WebGPU spec fixes
// them. The package's build writes these numbers in place of the names, so the shipped code reads no
// WebGPU global: in Node, where Dawn's `webgpu` package offers them only as an object to copy onto
// globalThis, the engine needs nothing copied (test/package.test.ts checks the values against Dawn's).
export const WEBGPU_CONSTANTS = {
  GPUBufferUsage: {
    MAP_READ: 0x1, MAP_WRITE: 0x2, COPY_SRC: 0x4, COPY_DST: 0x8, INDEX: 0x10, VERTEX: 0x20, UNIFORM: 0x40, STORAGE: 0x80, INDIRECT: 0x100, QUERY_RESOLVE: 0x200,
  },
  GPUMapMode: { READ: 0x1, WRITE: 0x2 },
  GPUShaderStage: { VERTEX: 0x1, FRAGMENT: 0x2, COMPUTE: 0x4 },
} as const;

/** Vite's `define` entries: "GPUBufferUsage.STORAGE" → "128", and so on. */
export function defineWebgpuConstants(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(WEBGPU_CONSTANTS).flatMap(([group, values]) => Object.entries(values).map(([name, value]) => [`${group}.${name}`, String(value)])),
  );
}
