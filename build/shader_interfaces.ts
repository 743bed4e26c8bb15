// A Vite plugin: what the build makes of each shader.
// - `shaders/x.wgsl?compact` is x.wgsl's text without its comments (they explain the kernels to people
//   and were 40% of the app's gzipped bundle). Every line stays where it was, indentation included, so
//   a compiler message's line and column still point into shaders/x.wgsl.
// - A line `// #include "y.wgsl"` in x.wgsl appends y.wgsl's text (from the same folder) to x.wgsl's, once:
//   WGSL has no include of its own, and its declarations may come in any order, so functions that several
//   kernels share (shaders/activation_functions.wgsl) are written once. Appended, not inserted, so x.wgsl's
//   own lines keep their numbers; a compiler message past its last line points into the included file.
// - `shaders/x.wgsl?interface` is the interface (shader_interface.ts) wgsl_reflect reads from that
//   compact text when the code is built, with the text's fingerprint. wgsl_reflect stays the one source
//   of every layout; the app's bundle gets the result as data.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

const INCLUDE = /^\/\/ #include "([\w.-]+\.wgsl)"$/gm;

/**
 * The text the engine compiles for `file`: its own, then that of every file it includes (and they include),
 * each once, comments removed; with the files read, in that order.
 */
export async function builtWgsl(file: string): Promise<{ code: string; files: string[] }> {
  const files: string[] = [];
  const texts: string[] = [];
  const add = async (path: string) => {
    if (files.includes(path)) return;
    files.push(path);
    const text = await readFile(path, 'utf8');
    texts.push(text);
    for (const [, name] of text.matchAll(INCLUDE)) await add(join(dirname(path), name));
  };
  await add(file);
  return { code: compactWgsl(texts.join('\n')), files };
}

export async function readShaderInterface(file: string): Promise<BuiltShaderInterface> {
  const { code } = await builtWgsl(file);
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
      const built = await builtWgsl(file);
      for (const read of built.files) this.addWatchFile(read);
      const value = query === 'interface' ? await readShaderInterface(file) : built.code;
      return `export default ${JSON.stringify(value)};`;
    },
  };
}
