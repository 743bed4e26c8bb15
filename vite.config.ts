import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistFiles } from './demo/mnist_plugin.js';
import { shaderInterfaces } from './build/shader_interfaces.js';
import { defineWebgpuConstants } from './build/webgpu_constants.js';

// One config for the ways the code is built:
// - the demo page (root demo/), served by `npm run demo` and built by `npm run build:demo`;
// - the Node command-line tools (`--mode cli`) and the package (`--mode lib`: dist/lib/index.js for
//   browsers and bundlers, dist/lib/node.js for Node), bundled so the shaders are inlined as text;
// - the tests (Vitest), run one file at a time: the software GPU already uses every core.
// Every mode reads the built-in shaders' interfaces at build time (build/shader_interfaces.ts). The
// package and the CLI also get WebGPU's constants written in (build/webgpu_constants.ts), so they need
// no WebGPU globals in Node; the page and the tests use the globals (test/support/webgpu_globals.ts).
// wgsl_reflect's "main" is a CommonJS file inside a "type": "module" package, which Node refuses to load;
// its ES module build works everywhere.
const resolve = { alias: [{ find: /^wgsl_reflect$/, replacement: 'wgsl_reflect/wgsl_reflect.module.js' }] };

// Each built-in shader's text is a chunk of its own (src/gpu/shader_sources.ts), kept in a folder of its own.
const shaderChunkName = (chunk: { moduleIds: string[] }) => (chunk.moduleIds.some((id) => /\.wgsl\?compact$/.test(id)) ? 'shaders/[name].js' : '[name].js');

export default defineConfig(({ mode }) => {
  if (mode === 'cli' || mode === 'lib') {
    const input: Record<string, string> =
      mode === 'cli' ? { train: 'src/cli/train.ts', bench: 'src/cli/bench.ts', eval: 'src/cli/eval.ts', make_shapes: 'scripts/make_shapes_dataset.ts', make_mnist_folder: 'scripts/make_mnist_folder.ts', grouped_conv_autotune: 'scripts/grouped_conv_autotune.ts' } : { index: 'src/index.ts', node: 'src/node.ts' };
    return {
      resolve,
      plugins: [shaderInterfaces()],
      define: defineWebgpuConstants(),
      ssr: { noExternal: ['wgsl_reflect'] },
      build: {
        ssr: true,
        outDir: `dist/${mode}`,
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { input, output: { entryFileNames: '[name].js', chunkFileNames: shaderChunkName, format: 'es' } },
      },
    };
  }
  // The MNIST files have no extension; "name-hash." would lose its trailing dot on some file systems.
  const demoAssetName = (asset: { names?: string[] }) => (asset.names?.[0]?.endsWith('-ubyte') ? 'assets/[name]-[hash].idx' : 'assets/[name]-[hash][extname]');
  return {
    resolve,
    root: 'demo',
    // Relative asset URLs, so dist/demo works from any folder of any static server.
    base: './',
    // Two pages: MNIST digits (index.html) and "Your images" (images.html).
    build: {
      outDir: '../dist/demo', emptyOutDir: true, target: 'es2022',
      rollupOptions: {
        input: { index: fileURLToPath(new URL('./demo/index.html', import.meta.url)), images: fileURLToPath(new URL('./demo/images.html', import.meta.url)) },
        output: { assetFileNames: demoAssetName },
      },
    },
    // Workers are bundled with plugins of their own: the engine in the demo's worker needs the shaders' interfaces.
    worker: { format: 'es', plugins: () => [shaderInterfaces()], rollupOptions: { output: { assetFileNames: demoAssetName } } },
    plugins: [mnistFiles(), shaderInterfaces()],
    // The demo's workers import these; listing them lets Vite bundle them when it starts instead of on
    // first use, which would reload the page in the middle of a session.
    optimizeDeps: { include: ['uplot', 'umap-js', 'wgsl_reflect'] },
    test: {
      root: '.',
      include: ['test/**/*.test.ts'],
      setupFiles: ['test/support/webgpu_globals.ts'],
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
    },
  };
});
