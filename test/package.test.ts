// What the package promises a host app, checked on the source: the WebGPU constants its build writes
// in are WebGPU's own, error names survive minification, and the shader interfaces the build ships are
// what wgsl_reflect reads from the shaders now (so nothing drifts). test/consumers/ checks the packed
// tarball itself in fresh apps.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { globals } from 'webgpu';
import * as reflect from 'wgsl_reflect';
import * as api from '../src/node';
import { WEBGPU_CONSTANTS } from '../build/webgpu_constants';
import { compactWgsl, composeWgsl } from '../build/shader_interfaces';
import { shaderInterfaces, shaderLoaders } from '../src/gpu/shader_sources';

/** Every built-in shader's text as the engine compiles it. */
const shaderSources: Record<string, string> = Object.fromEntries(
  await Promise.all(Object.entries(shaderLoaders).map(async ([file, load]) => [file, await load()])),
);
import { describeShader, fingerprint } from '../src/gpu/shader_interface';

test('the constants the build writes in are the WebGPU constants Dawn defines', () => {
  const dawn = globals as unknown as Record<string, Record<string, number>>;
  for (const [group, values] of Object.entries(WEBGPU_CONSTANTS)) {
    for (const [name, value] of Object.entries(values)) expect(`${group}.${name} = ${value}`).toBe(`${group}.${name} = ${dawn[group][name]}`);
  }
});

test('every exported error class carries its name as a string, not as its (minifiable) class name', () => {
  const errors = Object.entries(api as Record<string, unknown>).filter(
    (entry): entry is [string, typeof Error] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
  expect(errors.map(([name]) => name).sort()).toEqual([
    'CheckpointError', 'ConfigError', 'DatasetTooLargeError', 'DeviceLostError', 'DisposedError', 'EngineError', 'IdxError', 'ImageError', 'ImageFolderError',
    'KernelError', 'NoAdapterError', 'NonFiniteLossError', 'ShapeError',
  ]);
  for (const [name, errorClass] of errors) expect(Object.hasOwn(errorClass.prototype, 'name') && errorClass.prototype.name).toBe(name);
  const error = new api.NoAdapterError('no GPU here');
  expect([error.name, Object.hasOwn(error, 'name'), String(error)]).toEqual(['NoAdapterError', false, 'NoAdapterError: no GPU here']);
});

test('the shader interfaces shipped with the build are what wgsl_reflect reads from each shader', () => {
  const files = Object.keys(shaderSources);
  expect(files.length).toBeGreaterThan(5);
  expect(Object.keys(shaderInterfaces).sort()).toEqual([...files].sort());
  for (const file of files) {
    const code = shaderSources[file];
    expect({ file, ...shaderInterfaces[file] }).toEqual({ file, fingerprint: fingerprint(code), entries: describeShader(code, reflect) });
  }
});

test('the build ships shaders without comments, every line where it was, included libraries after', async () => {
  expect(compactWgsl('let a = 1; // one\n/* two\n /* nested */ lines */let b = 2;\n  // indented\nfn f() {}')).toBe('let a = 1;\n\nlet b = 2;\n\nfn f() {}');
  const text = (file: string) => readFileSync(new URL(`../shaders/${file}.wgsl`, import.meta.url), 'utf8');
  const includes = (code: string) => [...code.matchAll(/^\/\/ #include ([\w-]+)\.wgsl$/gm)].map(([, name]) => name);
  for (const file of Object.keys(shaderSources)) {
    const original = text(file);
    // Included libraries (`// #include philox.wgsl`) follow the file's own lines.
    expect(shaderSources[file].split('\n').slice(0, original.split('\n').length).join('\n'), file).toBe(compactWgsl(original));
    expect(shaderSources[file], file).toBe(await composeWgsl(fileURLToPath(new URL(`../shaders/${file}.wgsl`, import.meta.url))));
    expect(shaderSources[file], file).not.toMatch(/\/\/|\/\*/);
  }
  // The activation functions and the adaptive pooling windows have one copy each, in these kernels.
  const including = (library: string) => Object.keys(shaderSources).filter((file) => includes(text(file)).includes(library)).sort();
  expect(including('activation_functions')).toEqual(['activation', 'batchnorm2d', 'conv2d', 'conv2d_general', 'conv2d_tiled', 'linear']);
  expect(including('adaptive_windows')).toEqual(['adaptive_avg_pool2d', 'adaptive_max_pool2d']);
  for (const file of including('activation_functions')) expect(shaderSources[file], file).toContain(compactWgsl(text('activation_functions')));
});

test('the demo builds for production, its workers with the shaders\' interfaces', async () => {
  const root = new URL('..', import.meta.url).pathname;
  await promisify(execFile)('npm', ['run', 'build:demo'], { cwd: root });
  expect(readdirSync(`${root}dist/demo/assets`).filter((f) => /^worker-.*\.js$/.test(f))).toHaveLength(1);
}, 120_000);
