// The WGSL text of every kernel, keyed by file name without extension ("conv2d"), and the interface
// the build read from each (see shader_interface.ts and build/shader_interfaces.ts).
// Vite builds both from shaders/, so browsers, Node and the tests all run the same text.
import type { BuiltShaderInterface } from './shader_interface';

const byName = <T>(files: Record<string, T>): Readonly<Record<string, T>> =>
  Object.fromEntries(Object.entries(files).map(([path, value]) => [path.replace(/^.*\/(.+)\.wgsl$/, '$1'), value]));

/**
 * Loads a shader's text as the build compacts it (comments removed, every line in its place). Each text is
 * a chunk of its own, loaded the first time one of its kernels is compiled: an app carries the shaders of
 * the layers it runs, not all of them (the reference CNN needs a third of their text).
 */
export const shaderLoaders = byName(import.meta.glob<string>('../../shaders/*.wgsl', { query: '?compact', import: 'default' }));

/** Every shader's interface and the fingerprint of its compact text: small, and needed before any text is. */
export const shaderInterfaces = byName(
  import.meta.glob<BuiltShaderInterface>('../../shaders/*.wgsl', { query: '?interface', import: 'default', eager: true }),
);
