// The WGSL text of every kernel, keyed by file name without extension ("conv2d"), and the interface
// the build read from each (see shader_interface.ts and build/shader_interfaces.ts).
// Vite inlines both at build time, so browsers, Node and the tests all run the same text.
import type { BuiltShaderInterface } from './shader_interface';

const byName = <T>(files: Record<string, T>): Readonly<Record<string, T>> =>
  Object.fromEntries(Object.entries(files).map(([path, value]) => [path.replace(/^.*\/(.+)\.wgsl$/, '$1'), value]));

/** The shaders' text as the build compacts it (comments removed, every line in its place). */
export const shaderSources = byName(import.meta.glob<string>('../../shaders/*.wgsl', { query: '?compact', import: 'default', eager: true }));

export const shaderInterfaces = byName(
  import.meta.glob<BuiltShaderInterface>('../../shaders/*.wgsl', { query: '?interface', import: 'default', eager: true }),
);
