// The checkpoint commands end to end, as a person runs them: `npm run eval -- --load FILE` on PyTorch's
// weights gives PyTorch's accuracy and the same 10,000 predicted labels (same sha256); on a file of
// `npm run train -- --save` it rebuilds the network the file names and gives the training run's figures,
// per class too; and a run of `npm run train` cut short with --save and continued with --resume prints the
// uninterrupted run's lines.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, readFloat32, readModelInfo } from '../src/index';
import { loadMnistFromPackage } from '../src/data/mnist_node';
import { buildCli, runCli } from './support/cli';

const ROOT = new URL('..', import.meta.url).pathname;
// Its own output folder, so the test never races a developer's build or another test's.
const OUT_DIR = 'dist/cli-eval-test';
const FIXTURE = 'test/fixtures/reference_cnn.safetensors';
/** Seconds per run; evaluating 10,000 images on a busy software adapter takes about a minute. */
const RUN_TIMEOUT_S = 240;

const cli = (name: 'eval' | 'train', args: string[]) => runCli(OUT_DIR, name, args, RUN_TIMEOUT_S);

const lastJson = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
const logLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('Epoch ['));

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'webgpu-cnn-cli-'));
  await buildCli(OUT_DIR);
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('npm run eval', () => {
  it.each([
    [[], 2, /--load FILE is required/],
    [['--load'], 2, /--load/],
    [['--load', FIXTURE, '--bogus'], 2, /Unknown option '--bogus'/],
    [['--load', FIXTURE, '--test-limit', '0'], 2, /--test-limit is "0"; it must be an integer from 1 to 10000/],
    [['--load', FIXTURE, '--model', 'vgg'], 2, /--model is "vgg"; it must be one of reference, small-resnet/],
    [['--load', 'package.json'], 1, /^eval: package\.json: the header length is \d+ bytes, over the limit of 100000000 \(header-too-large\)$/m],
    [['--load', 'no-such-file.safetensors'], 1, /^eval: ENOENT: no such file or directory/m],
  ])('%j exits with %i and says why', async (args, code, message) => {
    const outcome = await cli('eval', args);
    expect(outcome.code).toBe(code);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(message);
  });

  it('gives PyTorch\'s accuracy and predictions for PyTorch\'s weights', async () => {
    const expected = JSON.parse(await readFile(join(ROOT, 'test/fixtures/reference_cnn_logits.json'), 'utf8'));
    const outcome = await cli('eval', ['--load', FIXTURE, '--json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    const summary = lastJson(outcome.stdout);
    expect(summary).toMatchObject({ test_count: 10000, test_correct: expected.test_correct, test_accuracy: expected.test_accuracy, predictions_sha256: expected.predictions_sha256 });
    expect(summary.adapter).toEqual(expect.any(String));
    expect(outcome.stdout).toContain(`on the 10000 test images: ${(100 * expected.test_accuracy).toFixed(2)}%`);
    expect(outcome.stdout).toContain(`Predictions sha256: ${expected.predictions_sha256}`);
  }, (RUN_TIMEOUT_S + 30) * 1000);

  it('gives PyTorch\'s accuracy and predictions for a PyTorch-trained small ResNet (--model small-resnet)', async () => {
    const expected = JSON.parse(await readFile(join(ROOT, 'test/fixtures/small_resnet_logits.json'), 'utf8'));
    const outcome = await cli('eval', ['--model', 'small-resnet', '--load', join(ROOT, 'test/fixtures/small_resnet.safetensors'), '--json']);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(lastJson(outcome.stdout)).toMatchObject({ model: 'small-resnet', test_count: 10000, test_correct: expected.test_correct, predictions_sha256: expected.predictions_sha256 });
  }, (RUN_TIMEOUT_S + 30) * 1000);
});

describe('npm run eval on a file that describes its network', () => {
  const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

  it('rebuilds the small ResNet that `npm run train -- --save` names, and gives the run\'s figures, per class too', async () => {
    const file = join(directory, 'small_resnet_run.safetensors');
    const trained = await cli('train', ['--model', 'small-resnet', '--limit', '100', '--batch-size', '20', '--max-steps', '2', '--eval-limit', '0', '--test-limit', '200', '--save', file, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const run = lastJson(trained.stdout);
    expect(run).toMatchObject({ model: 'small-resnet', steps: 2, test_count: 200, classes: DIGITS });
    // Per-class accuracy counted from the 200 labels gives the run's count of correct answers.
    const labels = (await loadMnistFromPackage()).test.labels.subarray(0, 200);
    const perClassCount = DIGITS.map((_, c) => labels.filter((l) => l === c).length);
    expect(run.per_class_accuracy).toHaveLength(10);
    expect(run.per_class_accuracy.reduce((a: number, p: number, c: number) => a + p * perClassCount[c], 0)).toBeCloseTo(run.test_correct, 9);
    expect(trained.stdout).toMatch(/^Per-class accuracy: 0 \d+\.\d\d%, 1 .*, 9 \d+\.\d\d%$/m);
    expect(readModelInfo(new Uint8Array(await readFile(file)))).toEqual({ network: 'small-resnet', inputShape: [1, 28, 28], classes: DIGITS });

    // No --model: the file says which network it holds.
    const evaluated = await cli('eval', ['--load', file, '--test-limit', '200', '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(lastJson(evaluated.stdout)).toMatchObject({
      model: 'small-resnet', described: true, test_count: 200, test_correct: run.test_correct, test_accuracy: run.test_accuracy, classes: DIGITS, per_class_accuracy: run.per_class_accuracy,
    });

    const contradicted = await cli('eval', ['--load', file, '--model', 'reference']);
    expect(contradicted.code).toBe(1);
    expect(contradicted.stderr).toContain(`eval: ${file}: its network is "small-resnet", but --model says reference.`);
  }, (2 * RUN_TIMEOUT_S + 30) * 1000);

  /** PyTorch's reference CNN weights with `metadata` added. */
  const described = async (name: string, metadata: Record<string, string>) => {
    const pytorch = decodeSafetensors(new Uint8Array(await readFile(join(ROOT, FIXTURE))));
    const tensors = new Map([...pytorch.tensors].map(([tensor, entry]) => [tensor, { shape: entry.shape, data: readFloat32(pytorch, entry) }]));
    const file = join(directory, name);
    await writeFile(file, encodeSafetensors(tensors, { format: 'pt', 'webgpu_cnn.input_shape': '[1,28,28]', ...metadata }));
    return file;
  };

  it('evaluates with the file\'s normalisation: the identity one gives the predictions of none, another changes them', async () => {
    const run = async (file: string) => {
      const outcome = await cli('eval', ['--load', file, '--test-limit', '200', '--json']);
      expect(outcome.code, outcome.stderr).toBe(0);
      return lastJson(outcome.stdout).predictions_sha256 as string;
    };
    const none = await run(join(ROOT, FIXTURE));
    expect(await run(await described('identity.safetensors', { 'webgpu_cnn.normalize': '{"mean":[0],"std":[1]}' }))).toBe(none);
    expect(await run(await described('shifted.safetensors', { 'webgpu_cnn.normalize': '{"mean":[0.5],"std":[0.1]}' }))).not.toBe(none);
  }, (3 * RUN_TIMEOUT_S + 30) * 1000);

  it('refuses a file whose classes are not the data\'s, listing both', async () => {
    const letters = DIGITS.map((d) => String.fromCharCode(97 + Number(d)));
    const file = await described('letters.safetensors', { 'webgpu_cnn.classes': JSON.stringify(letters) });
    const outcome = await cli('eval', ['--load', file]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain(`eval: ${file}: its classes are "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"; the classes of MNIST are "0", "1", "2", "3", "4", "5", "6", "7", "8", "9".`);
  }, (RUN_TIMEOUT_S + 30) * 1000);
});

describe('npm run train -- --save / --resume', () => {
  // 10 steps an epoch, 2 epochs, a line every 3 steps; the first run stops at step 7.
  const ARGS = ['--limit', '200', '--batch-size', '20', '--epochs', '2', '--eval-every', '3', '--eval-limit', '0', '--test-limit', '100', '--seed', '4'];

  it('a run stopped at step 7 and resumed prints the uninterrupted run\'s lines', async () => {
    const checkpoint = join(directory, 'run.safetensors');
    const first = await cli('train', [...ARGS, '--max-steps', '7', '--save', checkpoint]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Saved checkpoint ${checkpoint} at step 7`);

    const second = await cli('train', [...ARGS, '--resume', checkpoint, '--save', checkpoint, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`Resuming ${checkpoint} at step 7: epoch 1, after step 7 of 10`);
    expect(lastJson(second.stdout)).toMatchObject({ start_step: 7, model_step: 20, steps: 13, resumed_from: checkpoint });

    const whole = await cli('train', ARGS);
    expect(whole.code, whole.stderr).toBe(0);
    // The first run also logs where it stopped (step 7); the uninterrupted run logs every third step.
    const cut = logLines(first.stdout).filter((line) => !line.includes('Step [7/10]'));
    expect([...cut, ...logLines(second.stdout)]).toEqual(logLines(whole.stdout));
    expect(logLines(whole.stdout)).toHaveLength(7);

    const mismatch = await cli('train', [...ARGS.slice(0, -1), '5', '--resume', checkpoint]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^train: Sequential\.fit \(resume\): the run being resumed used seed 4, batch size 20, 200 samples/m);
  }, (4 * RUN_TIMEOUT_S + 30) * 1000);
});
