// `npm run train -- --data DIR` and `npm run eval -- --data DIR --load FILE` end to end, as a person runs them:
// the bundled commands in child processes on a tiny generated shapes folder (6 classes × 12 pictures, 16×16).
// The JSON's per-class figures line up with its classes and its counts; a saved file evaluated on a folder of
// exactly the validation pictures gives the run's validation figures (same predictions, so the same numbers);
// bad folders, mismatched classes and bad flags get one clear line and the exit code of their kind.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, loadImageFolder, stratifiedSplit } from '../src/node';
import { makeShapesDataset, SHAPE_CLASSES } from '../scripts/shapes_dataset';
import { buildCli, runCli } from './support/cli';

// Its own output folder, so the test never races a developer's build or another test's.
const OUT_DIR = 'dist/cli-folder-test';
/** Seconds per run: a few steps on 16×16 pictures, on a busy software adapter. */
const RUN_TIMEOUT_S = 180;
const PER_CLASS = 12;
const SIZE = 16;
const VAL_SPLIT = 0.25;
const SEED = 3;

const cli = (name: 'eval' | 'train', args: string[]) => runCli(OUT_DIR, name, args, RUN_TIMEOUT_S);
const lastJson = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
/** stderr without Dawn's warnings about its own limits. */
const errors = (stderr: string) => stderr.split('\n').filter((line) => line && !line.startsWith('Warning:'));

let directory: string;
let shapes: string;
/** Copies the pictures `files` (relative paths) of `from` into a new folder `name`. */
async function folderOf(name: string, from: string, files: readonly string[]): Promise<string> {
  const to = join(directory, name);
  for (const file of files) {
    await mkdir(dirname(join(to, file)), { recursive: true });
    await copyFile(join(from, file), join(to, file));
  }
  return to;
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'webgpu-cnn-folder-cli-'));
  shapes = join(directory, 'shapes');
  await makeShapesDataset({ out: shapes, perClass: PER_CLASS, seed: 2, size: SIZE });
  await buildCli(OUT_DIR);
}, 120_000);
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('npm run train -- --data DIR', () => {
  it('trains, saves, and eval --data gives the validation figures again on the validation pictures', async () => {
    const file = join(directory, 'shapes.safetensors');
    const trained = await cli('train', ['--data', shapes, '--model', 'small-resnet', '--val-split', String(VAL_SPLIT), '--seed', String(SEED), '--batch-size', '6', '--epochs', '2', '--eval-every', '6', '--eval-limit', '6', '--save', file, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(`Loaded ${6 * PER_CLASS} images of 6 classes from ${shapes} as 3×${SIZE}×${SIZE} samples`);
    const summary = lastJson(trained.stdout);
    const perClassCount = Math.round(PER_CLASS * VAL_SPLIT);
    expect(summary).toMatchObject({ classes: SHAPE_CLASSES, validation_count: 6 * perClassCount, limit: 6 * (PER_CLASS - perClassCount), sample_shape: [3, SIZE, SIZE], val_split: VAL_SPLIT, data: shapes });
    expect(summary).not.toHaveProperty('test_accuracy');
    // Aligned with classes: each class has perClassCount validation pictures, so its accuracy is a multiple of 1/perClassCount, and they add up to the total.
    expect(summary.per_class_accuracy).toHaveLength(6);
    const correctByClass = summary.per_class_accuracy.map((a: number) => a * perClassCount);
    for (const c of correctByClass) expect(Math.abs(c - Math.round(c))).toBeLessThan(1e-9);
    expect(correctByClass.reduce((s: number, c: number) => s + Math.round(c), 0)).toBe(summary.validation_correct);
    expect(summary.validation_accuracy).toBe(summary.validation_correct / summary.validation_count);
    // The validation pictures come mixed (seeded), not class by class as the folder lists them: the first
    // --eval-limit of them are a sample of every class.
    expect(summary.labels).toHaveLength(10);
    expect(summary.labels).not.toEqual([...summary.labels].sort((a: number, b: number) => a - b));
    // The table names every class, with its count.
    for (const name of SHAPE_CLASSES) expect(trained.stdout).toMatch(new RegExp(`^  ${name} +[\\d.]+% +${perClassCount}$`, 'm'));

    // The validation pictures, by the same split the command made, in a folder of their own.
    const all = await loadImageFolder(shapes);
    const { validation } = stratifiedSplit(all.labels, { validation: VAL_SPLIT, seed: SEED });
    const validationFolder = await folderOf('validation', shapes, Array.from(validation, (i) => all.files[i]));
    const evaluated = await cli('eval', ['--data', validationFolder, '--load', file, '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const figures = lastJson(evaluated.stdout);
    expect(figures).toMatchObject({ model: 'small-resnet', described: true, classes: SHAPE_CLASSES, count: summary.validation_count, correct: summary.validation_correct, per_class_accuracy: summary.per_class_accuracy });
    expect(figures.accuracy).toBe(summary.validation_accuracy);

    // The same run with those pictures as --test-data: its test figures are its validation figures.
    const withTest = await cli('train', ['--data', shapes, '--model', 'small-resnet', '--val-split', String(VAL_SPLIT), '--seed', String(SEED), '--batch-size', '6', '--epochs', '2', '--eval-limit', '0', '--test-data', validationFolder, '--json']);
    expect(withTest.code, withTest.stderr).toBe(0);
    const tested = lastJson(withTest.stdout);
    expect(tested).toMatchObject({ test_count: summary.validation_count, test_correct: tested.validation_correct, test_per_class_accuracy: tested.per_class_accuracy });
    expect(withTest.stdout).toMatch(`Test accuracy of the model on the ${summary.validation_count} images of ${validationFolder}: `);

    // --val-split 0: every picture trains and the test folder is the held-out set, as MNIST's test set is.
    const allIn = await cli('train', ['--data', shapes, '--val-split', '0', '--seed', String(SEED), '--batch-size', '6', '--max-steps', '2', '--eval-limit', '0', '--test-data', validationFolder, '--json']);
    expect(allIn.code, allIn.stderr).toBe(0);
    const allInSummary = lastJson(allIn.stdout);
    expect(allInSummary).toMatchObject({ limit: 6 * PER_CLASS, val_split: 0, test_count: summary.validation_count, classes: SHAPE_CLASSES });
    expect(allInSummary).not.toHaveProperty('validation_accuracy');
    expect(allInSummary.per_class_accuracy).toHaveLength(6);

    // The whole folder: every picture, per class too.
    const whole = await cli('eval', ['--data', shapes, '--load', file, '--json']);
    expect(whole.code, whole.stderr).toBe(0);
    const wholeFigures = lastJson(whole.stdout);
    expect(wholeFigures.count).toBe(6 * PER_CLASS);
    expect(wholeFigures.correct).toBe(wholeFigures.per_class_accuracy.reduce((s: number, a: number) => s + Math.round(a * PER_CLASS), 0));
    expect(whole.stdout).toMatch(`on the ${6 * PER_CLASS} images of ${shapes}: ${(100 * wholeFigures.accuracy).toFixed(2)}%`);

    // A folder with other classes: the error lists both.
    const renamed = await folderOf('renamed', shapes, all.files.filter((f) => !f.startsWith('star/')));
    await mkdir(join(renamed, 'zigzag'));
    await copyFile(join(shapes, 'star/00000.png'), join(renamed, 'zigzag/00000.png'));
    const mismatch = await cli('eval', ['--data', renamed, '--load', file]);
    expect(mismatch.code).toBe(1);
    expect(errors(mismatch.stderr)).toEqual([
      `eval: ${file}: its classes are "circle", "cross", "ring", "square", "star", "triangle"; the classes of ${renamed} are "circle", "cross", "ring", "square", "triangle", "zigzag". Evaluate it on data with the classes it was trained on, in the same order.`,
    ]);
    const testMismatch = await cli('train', ['--data', shapes, '--test-data', renamed, '--batch-size', '6']);
    expect(testMismatch.code).toBe(1);
    expect(errors(testMismatch.stderr).join('\n')).toMatch(`train: ${renamed}: its classes are "circle", "cross", "ring", "square", "triangle", "zigzag"; the classes of ${shapes} are "circle", "cross", "ring", "square", "star", "triangle".`);
  });

  it('refuses bad folders with one line naming the folder or the file', async () => {
    const two = (name: string) => folderOf(name, shapes, ['circle/00000.png', 'circle/00001.png', 'cross/00000.png', 'cross/00001.png']);
    const empty = await two('empty');
    await mkdir(join(empty, 'ring'));
    const truncated = await two('truncated');
    const png = await readFile(join(truncated, 'cross/00001.png'));
    await writeFile(join(truncated, 'cross/00001.png'), png.subarray(0, 40));
    const oneClass = await folderOf('one', shapes, ['circle/00000.png', 'circle/00001.png']);
    const mixed = await two('mixed');
    await writeFile(join(mixed, 'cross/big.png'), encodePng({ width: 20, height: 20, channels: 3, data: new Uint8Array(20 * 20 * 3) }));
    for (const [folder, message] of [
      [empty, `train: ${empty}: class folder(s) "ring" hold no PNG or JPEG file. Put at least one image in every class folder, or remove the empty ones (empty-class)`],
      [truncated, new RegExp(`^train: ${join(truncated, 'cross/00001.png')}: .*\\(truncated\\)$`)],
      [oneClass, `train: ${oneClass}: only one class, "circle". A classifier needs at least two class folders (one-class)`],
      [mixed, new RegExp(`^train: ${mixed}: .*16×16.*20×20.*\\(mixed-sizes\\)$`)],
      [join(directory, 'missing'), new RegExp(`^train: ${join(directory, 'missing')}: no such folder. .*\\(missing-folder\\)$`)],
    ] as const) {
      const outcome = await cli('train', ['--data', folder, '--batch-size', '2']);
      expect(outcome.code, outcome.stderr).toBe(1);
      const lines = errors(outcome.stderr);
      expect(lines).toHaveLength(1);
      if (typeof message === 'string') expect(lines[0]).toBe(message);
      else expect(lines[0]).toMatch(message);
    }
    // With --image-size, mixed sizes are resized to one.
    const resized = await cli('train', ['--data', mixed, '--image-size', '12', '--val-split', '0.5', '--batch-size', '2', '--max-steps', '1', '--eval-limit', '0', '--json']);
    expect(resized.code, resized.stderr).toBe(0);
    expect(lastJson(resized.stdout).sample_shape).toEqual([3, 12, 12]);
  });

  it.each([
    [['--data', 'x', '--augment', 'crop=x'], /--augment: "crop=x": crop needs a number, as in crop=4/],
    [['--data', 'x', '--augment', 'mirror'], /--augment: "mirror" is not an option/],
    [['--augment', 'flip,flip'], /--augment: "flip" is given twice/],
    [['--data', 'x', '--limit', '100'], /--limit applies to MNIST, not to --data: a folder is trained on all of its training split/],
    [['--data', 'x', '--test-limit', '100'], /--test-limit applies to MNIST, not to --data: the whole validation split is evaluated/],
    [['--val-split', '0.2'], /--val-split applies to an image folder: give --data DIR/],
    [['--test-data', 'y'], /--test-data applies to an image folder: give --data DIR/],
    [['--data', 'x', '--val-split', '1'], /--val-split is "1"; it must be a number from 0, at most 0.9/],
    [['--data', 'x', '--val-split', '0'], /--val-split 0 holds nothing out, so the run needs --test-data DIR to evaluate on/],
    [['--data', 'x', '--channels', '2'], /--channels is "2"; it must be 1 or 3/],
    [['--data', 'x', '--normalize', '0.5,0.5'], /--normalize is "0.5,0.5"; Write the means, a colon/],
    [['--data', 'x', '--normalize', '0.5:0'], /--normalize is "0.5:0": a standard deviation must be above 0/],
  ])('rejects %j with exit code 2 and the list of options', async (args, message) => {
    const { code, stdout, stderr } = await cli('train', args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/--data DIR .*--val-split X .*--image-size N .*--channels 1\|3/s);
  });

  it('refuses an augmentation the pictures cannot take before training, and eval --data with --test-limit', async () => {
    const crop = await cli('train', ['--data', shapes, '--augment', `crop=${SIZE}`, '--batch-size', '6']);
    expect(crop.code).toBe(1);
    expect(errors(crop.stderr)).toEqual([`train: --augment: augment.crop is ${SIZE}. augment.crop must be an integer with 0 ≤ crop < ${SIZE}.`]);
    const limit = await cli('eval', ['--data', shapes, '--load', 'x.safetensors', '--test-limit', '5']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--test-limit applies to MNIST, not to --data: every picture of the folder is evaluated/);
  });

  it('augments and normalises MNIST too', async () => {
    const outcome = await cli('train', ['--limit', '100', '--max-steps', '2', '--eval-limit', '0', '--test-limit', '50', '--augment', 'crop=2,flip', '--normalize', '0.1307:0.3081', '--json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^Training the reference network on 100 images .*, augmented \(crop=2,flip\), seed 1/m);
    expect(lastJson(outcome.stdout)).toMatchObject({ data: 'MNIST', augment: 'crop=2,flip', normalize: { mean: [0.1307], std: [0.3081] }, steps: 2, test_count: 50 });
  });
});
