// A Vite plugin: `shaders/x.wgsl?interface` is x.wgsl's interface (shader_interface.ts), read by
// wgsl_reflect when the code is built, with the fingerprint of the text it read. wgsl_reflect stays
// the one source of every layout; the app's bundle gets the result as data.
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'vite';
import { describeShader, fingerprint, type BuiltShaderInterface } from '../src/gpu/shader_interface.js';

export async function readShaderInterface(file: string): Promise<BuiltShaderInterface> {
  const code = await readFile(file, 'utf8');
  // The ES module build: the package's "main" is CommonJS in a "type": "module" package, which Node refuses.
  const reflect = (await import('wgsl_reflect/wgsl_reflect.module.js' as string)) as typeof import('wgsl_reflect');
  return { fingerprint: fingerprint(code), entries: describeShader(code, reflect) };
}

export function shaderInterfaces(): Plugin {
  return {
    name: 'webgpu-cnn:shader-interfaces',
    async load(id) {
      const [file, query] = id.split('?');
      if (query !== 'interface' || !file.endsWith('.wgsl')) return undefined;
      this.addWatchFile(file);
      return `export default ${JSON.stringify(await readShaderInterface(file))};`;
    },
  };
}
