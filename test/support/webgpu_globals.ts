// The engine's source names WebGPU's constants (GPUBufferUsage.STORAGE, …) as a browser defines them.
// The package's build writes their values in (build/webgpu_constants.ts), so apps need no globals; the
// tests run the source itself, so in this test process the constants come from Dawn, as globals.
import { globals } from 'webgpu';

Object.assign(globalThis, globals);
