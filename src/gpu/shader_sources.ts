// The WGSL text of every kernel, keyed by file name without extension ("conv2d").
// Vite inlines the files at build time, so browsers, Node and the tests all run the same text.
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

export const shaderSources: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(files).map(([path, code]) => [path.replace(/^.*\/(.+)\.wgsl$/, '$1'), code]),
);
