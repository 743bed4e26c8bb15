// Makes the declarations tsc wrote into dist/lib work in every consumer's TypeScript setting:
// - relative imports get their ".js" (or "/index.js"), which `nodenext` and `node16` require;
// - WebGPU's types (GPUDevice, GPUBuffer, …) come from dist/lib/webgpu.d.ts: @webgpu/types' own where
//   the consumer's program has them, else opaque stand-ins, because @webgpu/types needs the DOM library
//   and a Node program must type-check the "webgpu-cnn/node" entry without it;
// - the "webgpu-cnn" entry (index.d.ts) references @webgpu/types, so browser apps get the real types
//   with nothing to add, while "webgpu-cnn/node" re-exports the same API (api.d.ts) without it;
// - nothing may name a package a consumer does not install (wgsl_reflect is bundled; vite is a tool).
// Run after tsc: node build/finish_declarations.mjs [dist/lib]
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = process.argv[2] ?? 'dist/lib';
const webgpuTypes = readFileSync(createRequire(import.meta.url).resolve('@webgpu/types/dist/index.d.ts'), 'utf8');

const files = (function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.d.ts') ? [path] : [];
  });
})(root);

const declarations = new Map(files.map((f) => [f, '']));

function withExtension(from, specifier) {
  if (!specifier.startsWith('.')) return specifier;
  const base = join(dirname(from), specifier);
  if (existsSync(`${base}.d.ts`)) return `${specifier}.js`;
  if (existsSync(join(base, 'index.d.ts'))) return `${specifier}/index.js`;
  throw new Error(`${from}: cannot resolve "${specifier}"`);
}

/** The code of a declaration file without its comments, to find the names it uses. */
const code = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

const gpuNames = new Set();
for (const file of declarations.keys()) {
  let text = readFileSync(file, 'utf8')
    .replace(/(from\s+|import\()(['"])([^'"]+)\2/g, (_, lead, quote, spec) => `${lead}${quote}${withExtension(file, spec)}${quote}`);
  // index.d.ts is the browser entry; its API moves to api.d.ts, which the Node entry re-exports.
  if (file === join(root, 'node.d.ts')) text = text.replace(/(['"])\.\/index\.js\1/g, "'./api.js'");
  const used = [...new Set(code(text).match(/\bGPU[A-Za-z]*\b/g) ?? [])].sort();
  for (const name of used) gpuNames.add(name);
  if (used.length) {
    const from = relative(dirname(file), join(root, 'webgpu.js')).replace(/^(?!\.)/, './');
    text = `import type { ${used.join(', ')} } from '${from}';\n${text}`;
  }
  for (const banned of ['wgsl_reflect', 'vite/client', 'vite']) {
    if (new RegExp(`['"]${banned}['"/]`).test(text)) throw new Error(`${file} refers to "${banned}", which consumers do not install`);
  }
  declarations.set(file, text);
}

// Each WebGPU name: an interface with a constructor global becomes "the global's type, where there is
// one"; a type alias is copied as @webgpu/types writes it (they name no DOM type).
const stand = [...gpuNames].sort().map((name) => {
  if (new RegExp(`^declare var ${name}: \\{\\s*prototype: ${name};`, 'm').test(webgpuTypes)) {
    return `export type ${name} = Globals extends { ${name}: { prototype: infer T } } ? T : { readonly __brand: '${name}' };`;
  }
  const alias = webgpuTypes.match(new RegExp(`^type ${name} =([\\s\\S]*?);$`, 'm'));
  if (alias && !/\b(?!GPU)[A-Z][A-Za-z]+\b/.test(alias[1])) return `export type ${name} =${alias[1].replace(/\s+/g, ' ')};`;
  throw new Error(`dist/lib uses ${name}: add a stand-in for it to build/finish_declarations.mjs`);
});
writeFileSync(
  join(root, 'webgpu.d.ts'),
  [
    "// WebGPU's types as this package's declarations use them: @webgpu/types' own where the program has",
    '// them (a browser app: the "webgpu-cnn" entry references them), else opaque stand-ins, so a Node',
    '// program type-checks "webgpu-cnn/node" without the DOM library. Written by build/finish_declarations.mjs.',
    'type Globals = typeof globalThis;',
    ...stand,
    '',
  ].join('\n'),
);
for (const [file, text] of declarations) writeFileSync(file, text);
renameSync(join(root, 'index.d.ts'), join(root, 'api.d.ts'));
writeFileSync(join(root, 'index.d.ts'), `/// <reference types="@webgpu/types" />\nexport * from './api.js';\n`);
