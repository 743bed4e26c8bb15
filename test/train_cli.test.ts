// `npm run train` end to end, as a person runs it: the bundled CLI in a child process on MNIST.
// Acceptance: 5000 images × 2 epochs reach ≥ 90% on the first 1000 test images, the loss falls, and two short
// runs with the same seed print the same log lines (training is deterministic).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
// Its own output folder, so the test never races a developer's `npm run train` over dist/cli.
const OUT_DIR = 'dist/cli-test';
const CLI = `${OUT_DIR}/train.js`;
const ARGS = ['--limit', '5000', '--epochs', '2', '--eval-every', '50', '--eval-limit', '1000', '--test-limit', '1000', '--json', '--seed', '3'];
/**
 * With 3000 images × 2 epochs, 90% is only the average (PyTorch, same network and setting: 0.890 to 0.923 over
 * seeds 0–19, mean 0.907; this engine 0.888 to 0.908 over seeds 1–5), so the run uses 5000 images: the bar is
 * then a floor, not a coin toss that any change in float rounding re-draws.
 */
const MIN_ACCURACY = 0.9;
/** Two short runs for determinism: every fifth step's loss must repeat exactly. */
const SHORT_ARGS = ['--limit', '1000', '--epochs', '1', '--eval-every', '5', '--eval-limit', '200', '--test-limit', '200', '--json', '--seed', '7'];
/** Seconds per run; the software adapter trains at a few tens of samples per second. */
const RUN_TIMEOUT_S = 420;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], timeoutSeconds = 60): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: timeoutSeconds * 1000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    if (failed.killed) throw new Error(`train.js ${args.join(' ')} ran past ${timeoutSeconds} s\n${failed.stdout}`);
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const logLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('Epoch ['));

describe('npm run train', () => {
  beforeAll(async () => {
    await run('npx', ['vite', 'build', '--mode', 'cli', '--logLevel', 'warn', '--outDir', OUT_DIR], { cwd: ROOT });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--epochs', '0'], /--epochs is "0"; it must be an integer from 1 to 1000/],
    [['--lr', 'fast'], /--lr is "fast"; it must be a number above 0/],
    [['--adapter', 'cuda'], /--adapter is "cuda"; it must be one of auto, lavapipe, swiftshader, gpu/],
    [['--limit', '10'], /--batch-size 50 is larger than --limit 10/],
    [['--model', 'resnet50'], /--model is "resnet50"; it must be one of reference, small-resnet/],
    [['--schedule', 'linear'], /--schedule is "linear"; it must be one of constant, cosine, step, warmup-cosine/],
    [['--optimizer', 'rmsprop'], /--optimizer is "rmsprop"; it must be one of adam, adamw, sgd/],
    [['--weight-decay=-0.1'], /--weight-decay is "-0\.1"; it must be a number from 0, at most 10/],
    [['--clip-grad-norm', '0'], /--clip-grad-norm is "0"; it must be a number above 0, at most 1000000000/],
    [['--schedule', 'step'], /--schedule step needs --step-size N/],
    [['--schedule', 'warmup-cosine'], /--schedule warmup-cosine needs --warmup-steps N/],
    [['--schedule', 'cosine', '--gamma', '0.5'], /--gamma applies to --schedule step, not cosine/],
    [['--warmup-steps', '3'], /--warmup-steps applies to --schedule warmup-cosine, not constant/],
    [['--schedule', 'step', '--step-size', '1.5'], /--step-size is "1\.5"; it must be an integer from 1 to 1000000000/],
    [['--schedule', 'warmup-cosine', '--warmup-steps', '20', '--limit', '1000'], /--schedule warmup-cosine: warmupSteps is 20; .*an integer from 1 to 19 \(the run has 20 steps\)/],
  ])('rejects %j with exit code 2 and the list of options', async (args, message) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/--eval-every K .*--test-limit N .*--adapter NAME .*--json/s);
  });

  it('trains the small ResNet with a cosine schedule', async () => {
    const outcome = await cli(['--model', 'small-resnet', '--schedule', 'cosine', '--limit', '200', '--batch-size', '20', '--max-steps', '4', '--eval-every', '2', '--eval-limit', '50', '--test-limit', '50', '--json'], RUN_TIMEOUT_S);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^Training the small-resnet network on 200 images .*Adam lr 0\.001 \(cosine schedule\)/m);
    const summary = JSON.parse(outcome.stdout.trimEnd().split('\n').at(-1)!);
    expect(summary).toMatchObject({ model: 'small-resnet', schedule: 'cosine', parameters: 42618, steps: 4, test_count: 50, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    // One accuracy per class; a class with no image among the first 50 has none (null).
    expect(summary.per_class_accuracy).toHaveLength(10);
    expect(summary.per_class_accuracy.every((a: number | null) => a === null || (a >= 0 && a <= 1))).toBe(true);
    expect(logLines(outcome.stdout)).toHaveLength(2);
    expect(Number.isFinite(summary.final_loss)).toBe(true);
  }, (RUN_TIMEOUT_S + 30) * 1000);

  it('trains with AdamW, weight decay, a warm-up then cosine schedule and gradient clipping', async () => {
    const outcome = await cli([
      '--optimizer', 'adamw', '--weight-decay', '0.05', '--schedule', 'warmup-cosine', '--warmup-steps', '2', '--clip-grad-norm', '1',
      '--limit', '200', '--batch-size', '20', '--max-steps', '4', '--eval-every', '2', '--eval-limit', '50', '--test-limit', '50', '--json',
    ], RUN_TIMEOUT_S);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^Training the reference network on 200 images .*AdamW lr 0\.001, weight decay 0\.05 \(warmup-cosine schedule\), gradients clipped to norm 1, seed/m);
    const summary = JSON.parse(outcome.stdout.trimEnd().split('\n').at(-1)!);
    expect(summary).toMatchObject({
      optimizer: 'AdamW', weight_decay: 0.05, schedule: 'warmup-cosine', schedule_parameters: { warmupSteps: 2, warmupStartFactor: 1 / 3 }, clip_grad_norm: 1, steps: 4,
    });
    expect(Number.isFinite(summary.final_loss)).toBe(true);
  }, (RUN_TIMEOUT_S + 30) * 1000);

  it(`learns MNIST: the loss falls and 5000 images × 2 epochs reach ${MIN_ACCURACY * 100}% on 1000 test images`, async () => {
    const first = await cli(ARGS, RUN_TIMEOUT_S);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).toMatchObject({ seed: 3, epochs: 2, batch_size: 50, lr: 0.001, limit: 5000, test_count: 1000, steps: 200 });
    for (const field of ['test_accuracy', 'train_seconds', 'samples_per_s', 'final_loss']) {
      expect(Number.isFinite(summary[field]), field).toBe(true);
    }
    expect(summary.adapter).toEqual(expect.any(String));

    // Steps 50 and 100 of each 100-step epoch, as the tutorial prints them.
    const logs = logLines(first.stdout);
    expect(logs.map((l) => l.match(/^Epoch \[\d\/2\], Step \[\d+\/100\]/)?.[0])).toEqual([
      'Epoch [1/2], Step [50/100]', 'Epoch [1/2], Step [100/100]', 'Epoch [2/2], Step [50/100]', 'Epoch [2/2], Step [100/100]',
    ]);
    expect(logs.every((l) => /, Loss: \d+\.\d{4}, Test accuracy \(first 1000\): \d+\.\d\d%$/.test(l))).toBe(true);
    const losses = logs.map((l) => Number(l.match(/Loss: ([\d.]+)/)![1]));
    expect(losses[0]).toBeGreaterThan(losses.at(-1)!);
    expect(summary.final_loss).toBeCloseTo(losses.at(-1)!, 4);

    expect(summary.test_accuracy, first.stdout).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect(first.stdout).toContain(`Test accuracy of the model on the 1000 test images: ${(100 * summary.test_accuracy).toFixed(2)}%`);
    expect(first.stdout).toMatch(/^Predicted: \d( \d){9}$/m);
    expect(first.stdout).toMatch(/^Actual: {4}7 2 1 0 4 1 4 9 5 9$/m);
    expect(first.stdout).toContain(`Adapter: ${summary.adapter}`);
  }, (RUN_TIMEOUT_S + 30) * 1000);

  it('prints the same log lines when run again with the same seed', async () => {
    const runs = [await cli(SHORT_ARGS, RUN_TIMEOUT_S), await cli(SHORT_ARGS, RUN_TIMEOUT_S)];
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(logLines(runs[0].stdout)).toHaveLength(4);
    expect(logLines(runs[1].stdout)).toEqual(logLines(runs[0].stdout));
  }, (2 * RUN_TIMEOUT_S + 30) * 1000);
});
