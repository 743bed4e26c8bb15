// npm run make-shapes -- --out DIR [--per-class N] [--seed S] [--size N]: writes the generated shapes
// dataset (shapes_dataset.ts) as an image folder.
import type { NumberSpec } from '../src/cli/options';
import { runCommand } from '../src/cli/run_command';
import { datasetCommandOptions, parseDatasetCommand } from './dataset_command';
import { makeShapesDataset, SHAPE_CLASSES } from './shapes_dataset';

const NUMBERS: Record<'perClass' | 'seed' | 'size', NumberSpec> = {
  perClass: { flag: 'per-class', value: 'N', default: 600, min: 1, max: 1_000_000, integer: true, help: 'pictures per class' },
  seed: { flag: 'seed', value: 'S', default: 1, min: 0, max: 2 ** 32 - 1, integer: true, help: 'the seed every picture follows from' },
  size: { flag: 'size', value: 'N', default: 32, min: 8, max: 1024, integer: true, help: 'side of the square pictures, in pixels' },
};

const USAGE = [
  'Usage: npm run make-shapes -- --out DIR [options]',
  '',
  `Writes ${SHAPE_CLASSES.length} classes of coloured shapes (${SHAPE_CLASSES.join(', ')}) as RGB PNG files,`,
  'DIR/<class>/<index>.png (torchvision\'s ImageFolder layout), at random positions, sizes, rotations and',
  'colours on noisy gradients.',
  '',
  ...datasetCommandOptions(NUMBERS),
].join('\n');

async function main(args: readonly string[]): Promise<number> {
  const options = parseDatasetCommand('make-shapes', USAGE, NUMBERS, args);
  if (typeof options === 'number') return options;
  const written = await makeShapesDataset(options);
  console.log(`wrote ${written} pictures (${options.perClass} per class, ${SHAPE_CLASSES.length} classes, ${options.size}×${options.size}, seed ${options.seed}) to ${options.out}`);
  return 0;
}

runCommand('make-shapes', () => main(process.argv.slice(2)));
