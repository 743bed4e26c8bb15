// npm run make-shapes -- --out DIR [--per-class N] [--seed S] [--size N]: writes the generated shapes
// dataset (shapes_dataset.ts) as an image folder.
import { column, numberFlags, numbersUsage, parseFlags, parseNumbers, type NumberSpec } from '../src/cli/options';
import { parseCommandLine, runCommand, UsageError } from '../src/cli/run_command';
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
  column('--out DIR', 'the folder to write (created if missing)'),
  ...numbersUsage(NUMBERS),
  column('--help', 'this text'),
].join('\n');

async function main(args: readonly string[]): Promise<number> {
  const options = parseCommandLine('make-shapes', USAGE, () => {
    const values = parseFlags(args, { out: { type: 'string' }, help: { type: 'boolean' }, ...numberFlags(NUMBERS) });
    if (!values.help && typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    return { help: values.help === true, out: values.out as string, ...parseNumbers(NUMBERS, values) };
  });
  if (typeof options === 'number') return options;
  const written = await makeShapesDataset(options);
  console.log(`wrote ${written} pictures (${options.perClass} per class, ${SHAPE_CLASSES.length} classes, ${options.size}×${options.size}, seed ${options.seed}) to ${options.out}`);
  return 0;
}

runCommand('make-shapes', () => main(process.argv.slice(2)));
