import { defineConfig } from 'vite';

// One config for the ways the code is built:
// - the demo page (root demo/), served by `npm run demo` and built by `npm run build:demo`;
// - the Node command-line tools (`--mode cli`) and the package (`--mode lib`: dist/lib/index.js for
//   browsers and bundlers, dist/lib/node.js for Node), bundled so the shaders are inlined as text;
// - the tests (Vitest), run one file at a time: the software GPU already uses every core.
// wgsl_reflect's "main" is a CommonJS file inside a "type": "module" package, which Node refuses to load;
// its ES module build works everywhere.
const resolve = { alias: [{ find: /^wgsl_reflect$/, replacement: 'wgsl_reflect/wgsl_reflect.module.js' }] };

export default defineConfig(({ mode }) => {
  if (mode === 'cli' || mode === 'lib') {
    const input: Record<string, string> =
      mode === 'cli' ? { train: 'src/cli/train.ts', bench: 'src/cli/bench.ts', eval: 'src/cli/eval.ts' } : { index: 'src/index.ts', node: 'src/node.ts' };
    return {
      resolve,
      ssr: { noExternal: ['wgsl_reflect'] },
      build: {
        ssr: true,
        outDir: `dist/${mode}`,
        emptyOutDir: true,
        target: 'node20',
        rollupOptions: { input, output: { entryFileNames: '[name].js', format: 'es' } },
      },
    };
  }
  return {
    resolve,
    root: 'demo',
    build: { outDir: '../dist/demo', emptyOutDir: true, target: 'es2022' },
    worker: { format: 'es' },
    test: {
      root: '.',
      include: ['test/**/*.test.ts'],
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
    },
  };
});
