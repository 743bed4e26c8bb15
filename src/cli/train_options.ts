// The options of `npm run train`: one table drives parsing, checking and the help text.
import type { AdapterChoice } from '../gpu/node_host';
import { SCHEDULES, type ScheduleName } from '../optim/schedule';
import { MODEL_NAMES, type ModelName } from './models';
import { column, numberFlags, numbersUsage, parseFlags, parseNumbers, type NumberSpec } from './options';
import { UsageError } from './run_command';

export interface TrainOptions {
  model: ModelName;
  schedule: ScheduleName;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  limit: number;
  evalEvery: number;
  evalLimit: number;
  testLimit: number;
  /** Stop after this many steps of this invocation; 0: train every epoch. */
  maxSteps: number;
  /** Write a checkpoint here at every log line and at the end. */
  save: string | undefined;
  /** Continue the run saved in this checkpoint. */
  resume: string | undefined;
  /** Undefined: $WEBGPU_ADAPTER, else auto (see createNodeEngine). */
  adapter: AdapterChoice | undefined;
  json: boolean;
  help: boolean;
}


type NumberOption = 'epochs' | 'batchSize' | 'lr' | 'seed' | 'limit' | 'evalEvery' | 'evalLimit' | 'testLimit' | 'maxSteps';

export const TRAIN_IMAGES = 60000;
export const TEST_IMAGES = 10000;

const NUMBERS: Record<NumberOption, NumberSpec> = {
  epochs: { flag: 'epochs', value: 'N', default: 1, min: 1, max: 1000, integer: true, help: 'passes over the training images' },
  batchSize: { flag: 'batch-size', value: 'N', default: 50, min: 1, max: 60000, integer: true, help: 'images per step' },
  lr: { flag: 'lr', value: 'X', default: 0.001, min: Number.MIN_VALUE, max: 10, integer: false, help: 'Adam learning rate' },
  seed: { flag: 'seed', value: 'N', default: 1, min: 0, max: 2 ** 32 - 1, integer: true, help: 'seed of the initial weights and of the shuffles' },
  limit: { flag: 'limit', value: 'N', default: TRAIN_IMAGES, min: 1, max: TRAIN_IMAGES, integer: true, help: 'train on the first N training images' },
  evalEvery: { flag: 'eval-every', value: 'K', default: 50, min: 1, max: 1e9, integer: true, help: 'print the loss and the test accuracy every K steps' },
  evalLimit: { flag: 'eval-limit', value: 'N', default: 2000, min: 0, max: TEST_IMAGES, integer: true, help: 'test images for that accuracy, 0 for none' },
  testLimit: { flag: 'test-limit', value: 'N', default: TEST_IMAGES, min: 1, max: TEST_IMAGES, integer: true, help: 'test images for the final accuracy' },
  maxSteps: { flag: 'max-steps', value: 'N', default: 0, min: 0, max: 1e9, integer: true, help: 'stop after N steps, 0 for every epoch' },
};

export const ADAPTERS: readonly AdapterChoice[] = ['auto', 'lavapipe', 'swiftshader', 'gpu'];

export const USAGE = [
  'Usage: npm run train -- [options]   (or: node dist/cli/train.js [options])',
  '',
  'Trains a CNN (by default the PyTorch MNIST tutorial\'s) on MNIST with WebGPU compute shaders, then reports the test accuracy.',
  '',
  'Options:',
  column('--model NAME', `${MODEL_NAMES.join(', ')} (default reference)`),
  column('--schedule NAME', `learning rate over the run: ${SCHEDULES.join(', ')} (default constant; cosine: CosineAnnealingLR to 0)`),
  ...numbersUsage(NUMBERS),
  column('--save FILE', 'write a checkpoint (safetensors) at every log line and at the end'),
  column('--resume FILE', 'continue the run saved in FILE (same seed, batch size and limit; --epochs counts the whole run)'),
  column('--adapter NAME', `${ADAPTERS.join(', ')} (default $WEBGPU_ADAPTER, else auto: a GPU, then lavapipe, then SwiftShader)`),
  column('--json', 'end with one line of JSON holding the results'),
  column('--help', 'print this and exit'),
].join('\n');

/** Parses `args` (process.argv.slice(2)); throws UsageError on anything unknown or out of range. */
export function parseTrainOptions(args: readonly string[]): TrainOptions {
  const values = parseFlags(args, {
    ...numberFlags(NUMBERS), model: { type: 'string' }, schedule: { type: 'string' }, adapter: { type: 'string' }, save: { type: 'string' }, resume: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  });
  const options = parseNumbers(NUMBERS, values);
  const adapter = values.adapter as string | undefined;
  if (adapter !== undefined && !ADAPTERS.includes(adapter as AdapterChoice)) {
    throw new UsageError(`--adapter is "${adapter}"; it must be one of ${ADAPTERS.join(', ')}`);
  }
  const model = (values.model as string | undefined) ?? 'reference';
  if (!MODEL_NAMES.includes(model as ModelName)) throw new UsageError(`--model is "${model}"; it must be one of ${MODEL_NAMES.join(', ')}`);
  const schedule = (values.schedule as string | undefined) ?? 'constant';
  if (!SCHEDULES.includes(schedule as ScheduleName)) throw new UsageError(`--schedule is "${schedule}"; it must be one of ${SCHEDULES.join(', ')}`);
  if (options.batchSize > options.limit) {
    throw new UsageError(`--batch-size ${options.batchSize} is larger than --limit ${options.limit}; a step needs a full batch`);
  }
  for (const flag of ['save', 'resume'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a file name`);
  }
  return {
    ...options, model: model as ModelName, schedule: schedule as ScheduleName, adapter: adapter as AdapterChoice | undefined, save: values.save as string | undefined, resume: values.resume as string | undefined,
    json: values.json === true, help: values.help === true,
  };
}
