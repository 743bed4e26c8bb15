// A Vite plugin: what the build makes of each shader.
// - `shaders/x.wgsl?compact` is x.wgsl's text without its comments (they explain the kernels to people
//   and were 40% of the app's gzipped bundle). Every line stays where it was, indentation included, so
//   a compiler message's line and column still point into shaders/x.wgsl.
// - `shaders/x.wgsl?interface` is the interface (shader_interface.ts) wgsl_reflect reads from that
//   compact text when the code is built, with the text's fingerprint. wgsl_reflect stays the one source
//   of every layout; the app's bundle gets the result as data.
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'vite';
import { describeShader, fingerprint, type BuiltShaderInterface } from '../src/gpu/shader_interface.js';

/** WGSL without `//` and (nested) `/* *\/` comments; newlines inside comments are kept, trailing spaces dropped. */
export function compactWgsl(code: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const two = code.slice(i, i + 2);
    if (two === '/*') {
      depth++;
      i++;
    } else if (depth > 0 && two === '*/') {
      depth--;
      i++;
    } else if (depth > 0) {
      if (code[i] === '\n') out += '\n';
    } else if (two === '//') {
      while (i + 1 < code.length && code[i + 1] !== '\n') i++;
    } else {
      out += code[i];
    }
  }
  return out.replace(/[ \t]+$/gm, '');
}

export async function readShaderInterface(file: string): Promise<BuiltShaderInterface> {
  const code = compactWgsl(await readFile(file, 'utf8'));
  // The ES module build: the package's "main" is CommonJS in a "type": "module" package, which Node refuses.
  const reflect = (await import('wgsl_reflect/wgsl_reflect.module.js' as string)) as typeof import('wgsl_reflect');
  return { fingerprint: fingerprint(code), entries: describeShader(code, reflect) };
}

export function shaderInterfaces(): Plugin {
  return {
    name: 'webgpu-cnn:shader-interfaces',
    async load(id) {
      const [file, query] = id.split('?');
      if ((query !== 'interface' && query !== 'compact') || !file.endsWith('.wgsl')) return undefined;
      this.addWatchFile(file);
      const value = query === 'interface' ? await readShaderInterface(file) : compactWgsl(await readFile(file, 'utf8'));
      return `export default ${JSON.stringify(value)};`;
    },
  };
}
