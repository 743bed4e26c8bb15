// A Vite plugin: what the build makes of each shader.
// - `shaders/x.wgsl?compact` is x.wgsl's text without its comments (they explain the kernels to people
//   and were 40% of the app's gzipped bundle). Every line stays where it was, indentation included, so
//   a compiler message's line and column still point into shaders/x.wgsl. A line `// #include y.wgsl`
//   appends y.wgsl's compact text (a library of functions, such as philox.wgsl) after x's last line, so
//   those positions hold for x's own lines and the library has one copy in the tree.
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

const INCLUDE = /^\/\/ #include ([\w-]+\.wgsl)$/gm;

/** x.wgsl as the engine runs it: compacted, with the libraries it includes (once each, in order) after its own lines. */
export async function composeWgsl(file: string, included = new Set<string>([file])): Promise<string> {
  const text = await readFile(file, 'utf8');
  let code = compactWgsl(text);
  for (const [, name] of text.matchAll(INCLUDE)) {
    const library = join(dirname(file), name);
    if (included.has(library)) continue;
    included.add(library);
    code += `\n${await composeWgsl(library, included)}`;
  }
  return code;
}

export async function readShaderInterface(file: string): Promise<BuiltShaderInterface> {
  const code = await composeWgsl(file);
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
      const included = new Set([file]);
      const value = query === 'interface' ? await readShaderInterface(file) : await composeWgsl(file, included);
      for (const watched of included) this.addWatchFile(watched);
      return `export default ${JSON.stringify(value)};`;
    },
  };
}
