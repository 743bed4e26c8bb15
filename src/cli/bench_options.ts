// The options of `npm run bench`: which hosts and adapters to measure, how many steps, and the output.
import type { AdapterChoice } from '../gpu/node_host';
import { TFJS_BACKENDS, type TfjsBackend } from '../bench/tfjs_report';
import { column, numberFlags, numbersUsage, parseFlags, parseNumbers, type NumberSpec } from './options';
import { UsageError } from './run_command';
import { ADAPTERS, TEST_IMAGES, TRAIN_IMAGES } from './train_options';
import { MODEL_NAMES, type ModelName } from './models';
import type { StepsPerSubmit } from '../step_submitter';

export const HOSTS = ['both', 'node', 'browser'] as const;
export type Host = (typeof HOSTS)[number];

const NODE_ADAPTERS = ['all', ...ADAPTERS] as const;

export interface BenchOptions {
  host: Host;
  /** Node adapters: every one present, or one. */
  adapters: AdapterChoice[];
  /** True when one adapter was asked for: its absence is then an error, not a line of the report. */
  adapterRequired: boolean;
  model: ModelName;
  stepsPerSubmit: StepsPerSubmit;
  steps: number;
  batchSize: number;
  evalImages: number;
  tfjsSteps: number;
  tfjsBackends: TfjsBackend[];
  json: boolean;
  help: boolean;
}

type NumberOption = 'steps' | 'batchSize' | 'evalImages' | 'tfjsSteps';

const NUMBERS: Record<NumberOption, NumberSpec> = {
  steps: { flag: 'steps', value: 'N', default: 20, min: 1, max: 100_000, integer: true, help: 'timed training steps of this engine, after warm-up' },
  batchSize: { flag: 'batch-size', value: 'N', default: 50, min: 1, max: TRAIN_IMAGES, integer: true, help: 'images per training step' },
  evalImages: { flag: 'eval-images', value: 'N', default: 500, min: 1, max: TEST_IMAGES, integer: true, help: 'test images evaluated at batch 500, by this engine and by TF.js' },
  tfjsSteps: { flag: 'tfjs-steps', value: 'N', default: 3, min: 1, max: 100_000, integer: true, help: 'timed training steps of each TF.js backend, after its first step and one warm-up step' },
};

export const USAGE = [
  'Usage: npm run bench -- [options]   (or: node dist/cli/bench.js [options], from the repository root)',
  '',
  'How fast this engine trains and evaluates the PyTorch MNIST tutorial CNN (or the small ResNet): in Node on every',
  'adapter present, then in headless Chromium beside TensorFlow.js training the same network in the same browser',
  '(the tutorial CNN only: TF.js has no small ResNet here).',
  '',
  'Options:',
  column('--host NAME', `${HOSTS.join(', ')} (default both): Node (Dawn), headless Chromium, or both`),
  column('--adapter NAME', `${NODE_ADAPTERS.join(', ')} (default all: every one present); Node only`),
  column('--model NAME', `${MODEL_NAMES.join(', ')} (default reference): the network this engine trains`),
  column('--steps-per-submit K', "training steps per GPU submission, a positive integer or auto (default auto, as fit's default);"),
  column('', 'one step per submission is timed beside it'),
  ...numbersUsage(NUMBERS),
  column('--tfjs-backends LIST', `comma-separated, from ${TFJS_BACKENDS.join(', ')} (default all three)`),
  column('--json', 'print one JSON object instead of tables'),
  column('--help', 'print this and exit'),
].join('\n');

/** Parses `args` (process.argv.slice(2)); throws UsageError on anything unknown or out of range. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const values = parseFlags(args, {
    ...numberFlags(NUMBERS), host: { type: 'string' }, adapter: { type: 'string' }, model: { type: 'string' }, 'steps-per-submit': { type: 'string' }, 'tfjs-backends': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  });
  const host = values.host === undefined ? 'both' : oneOf(`--host is "${values.host}"`, values.host, HOSTS);
  const adapter = values.adapter === undefined ? 'all' : oneOf(`--adapter is "${values.adapter}"`, values.adapter, NODE_ADAPTERS);
  const model = values.model === undefined ? 'reference' : oneOf(`--model is "${values.model}"`, values.model, MODEL_NAMES);
  const backendList = values['tfjs-backends'];
  const tfjsBackends = typeof backendList === 'string'
    ? backendList.split(',').map((name) => oneOf(`--tfjs-backends names "${name}"`, name.trim(), TFJS_BACKENDS))
    : [...TFJS_BACKENDS];
  return {
    ...parseNumbers(NUMBERS, values),
    host,
    adapters: adapter === 'all' ? ['gpu', 'lavapipe', 'swiftshader'] : [adapter],
    adapterRequired: adapter !== 'all',
    model,
    stepsPerSubmit: parseStepsPerSubmit(values['steps-per-submit']),
    tfjsBackends: [...new Set(tfjsBackends)],
    json: values.json === true,
    help: values.help === true,
  };
}

/** `text` if it is one of `valid`; else a UsageError that starts with `said` and lists what is valid. */
function oneOf<T extends string>(said: string, text: string | boolean, valid: readonly T[]): T {
  if (!valid.includes(text as T)) throw new UsageError(`${said}; it must be one of ${valid.join(', ')}`);
  return text as T;
}

function parseStepsPerSubmit(text: string | boolean | undefined): StepsPerSubmit {
  if (text === undefined || text === 'auto') return 'auto';
  if (typeof text === 'string' && /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 1000) return Number(text);
  throw new UsageError(`--steps-per-submit is "${text}"; it must be auto or an integer from 1 to 1000`);
}
