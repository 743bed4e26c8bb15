// The options of `npm run train`: one table drives parsing, checking and the help text.
import type { AdapterChoice } from '../gpu/node_host';
import { ConfigError } from '../gpu/errors';
import { parseAugment, type AugmentOptions } from '../data/augment';
import type { Normalization } from '../data/normalize';
import { MAX_IMAGE_SIDE } from '../images/inspect';
import { checkSchedule, PARAMETERS, SCHEDULES, type ScheduleName } from '../optim/schedule';
import { MODEL_NAMES, type ModelName } from './models';
import { OPTIMIZER_NAMES, type OptimizerName } from './optimizers';
import {
  column, numberFlags, numbersUsage, optionalNumbersUsage, parseFlags, parseNumbers, parseOptionalNumbers, type NumberSpec, type OptionalNumberSpec,
} from './options';
import { UsageError } from './run_command';

export interface TrainOptions {
  model: ModelName;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  /** Undefined: the optimizer's default (torch.optim's). */
  weightDecay: number | undefined;
  /** The schedule's parameters (only those of `schedule` are given). */
  stepSize: number | undefined;
  gamma: number | undefined;
  warmupSteps: number | undefined;
  /** Undefined: no clipping. */
  clipGradNorm: number | undefined;
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
  /** Write the run's report (one self-contained HTML page) here at the end. */
  report: string | undefined;
  /** Undefined: $WEBGPU_ADAPTER, else auto (see createNodeEngine). */
  adapter: AdapterChoice | undefined;
  /** An image folder to train on instead of MNIST. */
  data: string | undefined;
  /** With data: the fraction of each class held out for validation. */
  valSplit: number;
  /** With data: the samples' side; undefined: the pictures' own size. */
  imageSize: number | undefined;
  /** With data: undefined: 1 when every picture is grayscale, else 3. */
  channels: 1 | 3 | undefined;
  /** With data: a folder of the same classes to report the test accuracy on. */
  testData: string | undefined;
  /** Augmentation of the training batches; undefined: none. */
  augment: AugmentOptions | undefined;
  /** Per-channel normalisation on the GPU; undefined: none (pixels scaled to [0, 1]). */
  normalize: Normalization | undefined;
  json: boolean;
  help: boolean;
}


type NumberOption = 'epochs' | 'batchSize' | 'lr' | 'seed' | 'limit' | 'evalEvery' | 'evalLimit' | 'testLimit' | 'maxSteps' | 'valSplit';

export const TRAIN_IMAGES = 60000;
export const TEST_IMAGES = 10000;

const NUMBERS: Record<NumberOption, NumberSpec> = {
  epochs: { flag: 'epochs', value: 'N', default: 1, min: 1, max: 1000, integer: true, help: 'passes over the training images' },
  batchSize: { flag: 'batch-size', value: 'N', default: 50, min: 1, max: 60000, integer: true, help: 'images per step' },
  lr: { flag: 'lr', value: 'X', default: 0.001, min: Number.MIN_VALUE, max: 10, integer: false, help: 'learning rate (the schedule scales it)' },
  seed: { flag: 'seed', value: 'N', default: 1, min: 0, max: 2 ** 32 - 1, integer: true, help: 'seed of the initial weights and of the shuffles' },
  limit: { flag: 'limit', value: 'N', default: TRAIN_IMAGES, min: 1, max: TRAIN_IMAGES, integer: true, help: 'MNIST only: train on the first N training images' },
  evalEvery: { flag: 'eval-every', value: 'K', default: 50, min: 1, max: 1e9, integer: true, help: 'print the loss and the test accuracy every K steps' },
  evalLimit: { flag: 'eval-limit', value: 'N', default: 2000, min: 0, max: TEST_IMAGES, integer: true, help: 'test (with --data: validation) images for that accuracy, 0 for none' },
  testLimit: { flag: 'test-limit', value: 'N', default: TEST_IMAGES, min: 1, max: TEST_IMAGES, integer: true, help: 'MNIST only: test images for the final accuracy' },
  maxSteps: { flag: 'max-steps', value: 'N', default: 0, min: 0, max: 1e9, integer: true, help: 'stop after N steps, 0 for every epoch' },
  valSplit: { flag: 'val-split', value: 'X', default: 0.1, min: 0, max: 0.9, integer: false, help: 'with --data: the fraction of each class held out for validation (0, with --test-data: train on all of DIR, evaluate on the test folder as MNIST\'s path does)' },
};

type OptionalNumber = 'weightDecay' | 'stepSize' | 'gamma' | 'warmupSteps' | 'clipGradNorm' | 'imageSize' | 'channels';

const OPTIONAL_NUMBERS: Record<OptionalNumber, OptionalNumberSpec> = {
  weightDecay: { flag: 'weight-decay', value: 'X', min: 0, max: 10, integer: false, help: 'weight decay (L2 for adam and sgd, decoupled for adamw)', defaultHelp: 'default 0; adamw 0.01' },
  stepSize: { flag: 'step-size', value: 'N', min: 1, max: 1e9, integer: true, help: 'step schedule: multiply the rate by --gamma every N steps', defaultHelp: 'needed with --schedule step' },
  gamma: { flag: 'gamma', value: 'X', min: 0, max: 10, integer: false, help: 'step schedule: the factor', defaultHelp: 'default 0.1' },
  warmupSteps: { flag: 'warmup-steps', value: 'N', min: 1, max: 1e9, integer: true, help: 'warmup-cosine: steps of linear warm-up from lr/3', defaultHelp: 'needed with --schedule warmup-cosine' },
  clipGradNorm: { flag: 'clip-grad-norm', value: 'X', min: Number.MIN_VALUE, max: 1e9, integer: false, help: 'clip the gradients to this global norm every step', defaultHelp: 'default: no clipping' },
  imageSize: { flag: 'image-size', value: 'N', min: 1, max: MAX_IMAGE_SIDE, integer: true, help: 'with --data: resize every picture to N × N (Pillow\'s bilinear filter)', defaultHelp: 'default: the pictures\' own size, needed when they differ' },
  channels: { flag: 'channels', value: '1|3', min: 1, max: 3, integer: true, help: 'with --data: 1 (luma) or 3 (RGB)', defaultHelp: 'default 1 when every picture is grayscale, else 3' },
};

/** The options that say how MNIST is cut, refused with --data: a folder's split is --val-split, and its whole validation split is evaluated. */
const MNIST_ONLY: ReadonlyArray<[string, string]> = [
  ['limit', 'a folder is trained on all of its training split (the rest of --val-split)'],
  ['test-limit', 'the whole validation split is evaluated at the end'],
];
/** The options that need --data. */
const FOLDER_ONLY = ['val-split', 'image-size', 'channels', 'test-data'];

/** The CLI flag of each schedule parameter; those without a default must be given with their schedule. */
const SCHEDULE_FLAGS = { stepSize: OPTIONAL_NUMBERS.stepSize, gamma: OPTIONAL_NUMBERS.gamma, warmupSteps: OPTIONAL_NUMBERS.warmupSteps };
const REQUIRED_SCHEDULE_FLAGS: readonly (keyof typeof SCHEDULE_FLAGS)[] = ['stepSize', 'warmupSteps'];

export const ADAPTERS: readonly AdapterChoice[] = ['auto', 'lavapipe', 'swiftshader', 'gpu'];

export const USAGE = [
  'Usage: npm run train -- [options]   (or: node dist/cli/train.js [options])',
  '',
  'Trains a CNN (by default the PyTorch MNIST tutorial\'s) on MNIST with WebGPU compute shaders, then reports the test accuracy.',
  'With --data DIR it trains on an image folder (one sub-folder of PNG or JPEG pictures per class, torchvision\'s ImageFolder)',
  'instead: a stratified split seeded by --seed holds out --val-split of each class, and the run reports the validation',
  'accuracy, per class too (--limit and --test-limit are MNIST\'s and refused there; --eval-limit counts validation images).',
  '',
  'Options:',
  column('--data DIR', 'train on the image folder DIR instead of MNIST'),
  column('--test-data DIR', 'with --data: also report the accuracy on DIR, a folder of the same classes'),
  column('--augment LIST', 'augment the training batches on the GPU: any of crop=PIXELS,flip,rotate=DEGREES,scale=X,translate=X (default none)'),
  column('--normalize M:S', 'normalise each channel on the GPU, (x − mean) / std with x in [0, 1]: the means, a colon, the stds, e.g. 0.5,0.5,0.5:0.25,0.25,0.25 (default none)'),
  column('--model NAME', `${MODEL_NAMES.join(', ')} (default reference)`),
  column('--optimizer NAME', `${OPTIMIZER_NAMES.join(', ')} (default adam), with torch.optim's defaults`),
  column('--schedule NAME', `learning rate over the run: ${SCHEDULES.join(', ')} (default constant; cosine: CosineAnnealingLR to 0; step: StepLR; warmup-cosine: LinearLR warm-up, then cosine to 0)`),
  ...numbersUsage(NUMBERS),
  ...optionalNumbersUsage(OPTIONAL_NUMBERS),
  column('--save FILE', 'write a checkpoint (safetensors) at every log line and at the end'),
  column('--resume FILE', 'continue the run saved in FILE (same seed, batch size and limit; --epochs counts the whole run)'),
  column('--report FILE', 'write a report at the end: one HTML page with the curves, confusion matrix, mistakes and a map of the last hidden layer'),
  column('--adapter NAME', `${ADAPTERS.join(', ')} (default $WEBGPU_ADAPTER, else auto: a GPU, then lavapipe, then SwiftShader)`),
  column('--json', 'end with one line of JSON holding the results'),
  column('--help', 'print this and exit'),
].join('\n');

/** Parses `args` (process.argv.slice(2)); throws UsageError on anything unknown or out of range. */
export function parseTrainOptions(args: readonly string[]): TrainOptions {
  const values = parseFlags(args, {
    ...numberFlags(NUMBERS), ...numberFlags(OPTIONAL_NUMBERS), data: { type: 'string' }, 'test-data': { type: 'string' }, augment: { type: 'string' }, normalize: { type: 'string' }, model: { type: 'string' }, optimizer: { type: 'string' }, schedule: { type: 'string' }, adapter: { type: 'string' }, save: { type: 'string' }, resume: { type: 'string' }, report: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  });
  const options = parseNumbers(NUMBERS, values);
  const optional = parseOptionalNumbers(OPTIONAL_NUMBERS, values);
  const adapter = values.adapter as string | undefined;
  if (adapter !== undefined && !ADAPTERS.includes(adapter as AdapterChoice)) {
    throw new UsageError(`--adapter is "${adapter}"; it must be one of ${ADAPTERS.join(', ')}`);
  }
  const model = (values.model as string | undefined) ?? 'reference';
  if (!MODEL_NAMES.includes(model as ModelName)) throw new UsageError(`--model is "${model}"; it must be one of ${MODEL_NAMES.join(', ')}`);
  const optimizer = (values.optimizer as string | undefined) ?? 'adam';
  if (!OPTIMIZER_NAMES.includes(optimizer as OptimizerName)) throw new UsageError(`--optimizer is "${optimizer}"; it must be one of ${OPTIMIZER_NAMES.join(', ')}`);
  const schedule = (values.schedule as string | undefined) ?? 'constant';
  if (!SCHEDULES.includes(schedule as ScheduleName)) throw new UsageError(`--schedule is "${schedule}"; it must be one of ${SCHEDULES.join(', ')}`);
  const data = values.data as string | undefined;
  for (const flag of ['save', 'resume', 'report', 'data', 'test-data'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a ${flag.endsWith('data') ? 'folder' : 'file'} name`);
  }
  if (data === undefined) {
    const given = FOLDER_ONLY.find((flag) => values[flag] !== undefined);
    if (given) throw new UsageError(`--${given} applies to an image folder: give --data DIR`);
    if (options.batchSize > options.limit) {
      throw new UsageError(`--batch-size ${options.batchSize} is larger than --limit ${options.limit}; a step needs a full batch`);
    }
  } else {
    const given = MNIST_ONLY.find(([flag]) => values[flag] !== undefined);
    if (given) throw new UsageError(`--${given[0]} applies to MNIST, not to --data: ${given[1]}`);
    if (options.valSplit === 0 && values['test-data'] === undefined) {
      throw new UsageError('--val-split 0 holds nothing out, so the run needs --test-data DIR to evaluate on');
    }
  }
  if (optional.channels !== undefined && optional.channels !== 1 && optional.channels !== 3) throw new UsageError(`--channels is "${optional.channels}"; it must be 1 or 3`);
  // A folder's step count is known once it is loaded: fit() checks the schedule against it then.
  checkScheduleFlags(schedule as ScheduleName, optional, data === undefined ? options.epochs * Math.floor(options.limit / options.batchSize) : Number.MAX_SAFE_INTEGER);
  return {
    ...options, ...optional, model: model as ModelName, optimizer: optimizer as OptimizerName, schedule: schedule as ScheduleName, adapter: adapter as AdapterChoice | undefined, save: values.save as string | undefined, resume: values.resume as string | undefined,
    report: values.report as string | undefined,
    data, testData: values['test-data'] as string | undefined, channels: optional.channels as 1 | 3 | undefined,
    augment: values.augment === undefined ? undefined : usage(() => parseAugment(values.augment as string)),
    normalize: values.normalize === undefined ? undefined : parseNormalize(values.normalize as string),
    json: values.json === true, help: values.help === true,
  };
}

/** The schedule's flags: only its own, those without a default given, each as fit() accepts it for a run of `steps` steps. */
function checkScheduleFlags(schedule: ScheduleName, values: Record<OptionalNumber, number | undefined>, steps: number): void {
  for (const [key, spec] of Object.entries(SCHEDULE_FLAGS) as Array<[keyof typeof SCHEDULE_FLAGS, OptionalNumberSpec]>) {
    const applies = key in PARAMETERS[schedule];
    if (values[key] !== undefined && !applies) {
      throw new UsageError(`--${spec.flag} applies to --schedule ${SCHEDULES.find((s) => key in PARAMETERS[s])}, not ${schedule}`);
    }
    if (values[key] === undefined && applies && REQUIRED_SCHEDULE_FLAGS.includes(key)) throw new UsageError(`--schedule ${schedule} needs --${spec.flag} ${spec.value}`);
  }
  try {
    checkSchedule('--schedule', schedule, { stepSize: values.stepSize, gamma: values.gamma, warmupSteps: values.warmupSteps }, steps);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`--schedule ${schedule}: ${e.problem}; ${e.valid}`);
    throw e;
  }
}

/** A ConfigError of `parse` as a UsageError (exit code 2, with the usage). */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** "0.5,0.5,0.5:0.25,0.25,0.25": the means, then the standard deviations, one per channel (checked against the data's channels on upload). */
export function parseNormalize(text: string): Normalization {
  const valid = 'Write the means, a colon, then the standard deviations, one per channel, e.g. 0.5,0.5,0.5:0.25,0.25,0.25.';
  const halves = text.split(':');
  const lists = halves.map((half) => half.split(',').map((v) => (v.trim() === '' ? NaN : Number(v))));
  if (halves.length !== 2 || lists.some((list) => list.some((v) => !Number.isFinite(v)))) throw new UsageError(`--normalize is "${text}"; ${valid}`);
  if (lists[0].length !== lists[1].length) throw new UsageError(`--normalize is "${text}": ${lists[0].length} means and ${lists[1].length} standard deviations; ${valid}`);
  if (lists[1].some((v) => v <= 0)) throw new UsageError(`--normalize is "${text}": a standard deviation must be above 0`);
  return { mean: lists[0], std: lists[1] };
}
