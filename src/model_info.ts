// What a model says about itself beyond its weights, so that a saved file can be used again: the network's
// name, the names of its classes (in the order of its outputs) and the normalisation its inputs had in
// training. The model holds it, the weights file carries it (io/model_metadata.ts), predict() and
// classify() apply the normalisation to pixels, evaluate() names the classes. Every value is checked, from
// a caller or from a file alike: a description that contradicts the model is refused, never trimmed.
import { checkNormalization as checkDatasetNormalization, type Normalization } from './data/normalize';
import { ConfigError } from './gpu/errors';

export interface ModelInfo {
  /** The network's name: `'reference'`, `'small-resnet'` (the command line rebuilds those from a file), or any name of yours. */
  network?: string;
  /** The class names, one per output, in the output's order (for an ImageFolder: the sub-folders, sorted). */
  classes?: readonly string[];
  /** The normalisation of the inputs, one mean and one std per channel (the input shape's first dimension), as a Dataset's. */
  normalize?: Readonly<Normalization>;
}

/** 'malformed': a value of the wrong type or range; 'mismatch': a valid value that contradicts the model. */
export type InfoProblemKind = 'malformed' | 'mismatch';
export type InfoFail = (kind: InfoProblemKind, problem: string, valid: string) => never;

/** The model's side of the check. */
export interface InfoTarget {
  inputShape: readonly number[];
  /** The number of class scores the model outputs; undefined when its output is not [classes]. */
  classes: number | undefined;
}

/** The longest network or class name taken: a file name's length on common file systems. */
export const MAX_NAME_LENGTH = 256;
const FIELDS = ['network', 'classes', 'normalize'];

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;

/** A name of 1 to MAX_NAME_LENGTH characters. */
function checkName(value: unknown, what: string, fail: InfoFail): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    fail('malformed', `${what} is ${typeof value === 'string' ? `a string of ${value.length} characters` : describe(value)}`, `Give a string of 1 to ${MAX_NAME_LENGTH} characters.`);
  }
  return value as string;
}

/**
 * `info` checked (against `target`, when given: else for types and ranges only), as a frozen copy, so the
 * caller's object can change afterwards without changing the model's. Unknown fields are refused, so a
 * misspelt one is not silently dropped.
 */
export function checkModelInfo(info: unknown, target: InfoTarget | undefined, fail: InfoFail): Readonly<ModelInfo> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    return fail('malformed', `the description is ${describe(info)}`, `Give an object with any of: ${FIELDS.join(', ')}.`);
  }
  const unknown = Object.keys(info).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) fail('malformed', `the description has ${unknown.map((k) => `"${k}"`).join(', ')}`, `Its fields are ${FIELDS.join(', ')}.`);
  const { network, classes, normalize } = info as Record<string, unknown>;
  const checked: ModelInfo = {};
  if (network !== undefined) checked.network = checkName(network, 'network', fail);
  if (classes !== undefined) checked.classes = Object.freeze(checkClasses(classes, target, fail));
  if (normalize !== undefined) checked.normalize = checkNormalization(normalize, target, fail);
  return Object.freeze(checked);
}

function checkClasses(classes: unknown, target: InfoTarget | undefined, fail: InfoFail): string[] {
  if (!Array.isArray(classes)) return fail('malformed', `classes is ${describe(classes)}`, 'Give the class names as an array of strings.');
  const names = classes.map((name, i) => checkName(name, `class ${i}`, fail));
  const repeated = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (repeated >= 0) fail('malformed', `classes ${names.indexOf(names[repeated])} and ${repeated} are both named ${JSON.stringify(names[repeated])}`, 'Give every class its own name.');
  if (!target) return names;
  if (target.classes === undefined) fail('mismatch', `the model has ${names.length} class names but its output is not a vector of class scores`, 'Class names describe a model whose output is [classes].');
  if (names.length !== target.classes) {
    fail('mismatch', `${names.length} class names for a model with ${target.classes} outputs`, `Give exactly ${target.classes} names, one per output of the last layer.`);
  }
  return names;
}

/** A dataset's normalisation check (data/normalize.ts), told apart: a count of channels that is not the model's is a mismatch. */
function checkNormalization(normalize: unknown, target: InfoTarget | undefined, fail: InfoFail): Readonly<Normalization> {
  if (typeof normalize !== 'object' || normalize === null || Array.isArray(normalize)) {
    return fail('malformed', `normalize is ${describe(normalize)}`, 'Give { mean: [...], std: [...] }, one value per channel.');
  }
  const keys = Object.keys(normalize).sort().join(', ');
  if (keys !== 'mean, std') fail('malformed', `normalize has the fields {${keys}}`, 'Give exactly { mean: [...], std: [...] }.');
  const { mean, std } = normalize as Record<string, unknown>;
  if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0 || mean.length !== std.length) {
    fail('malformed', `normalize has ${Array.isArray(mean) ? mean.length : describe(mean)} means and ${Array.isArray(std) ? std.length : describe(std)} stds`, 'Give one mean and one std per channel.');
  }
  const channels = target?.inputShape[0] ?? (mean as unknown[]).length;
  try {
    const checked = checkDatasetNormalization('normalize', normalize, (mean as unknown[]).length);
    if (checked.mean.length !== channels) {
      fail('mismatch', `normalize has ${checked.mean.length} values for an input of ${channels} channels (shape [${target!.inputShape.join(', ')}])`, `Give ${channels}, one per channel.`);
    }
    return Object.freeze({ mean: Object.freeze(checked.mean), std: Object.freeze(checked.std) }) as Readonly<Normalization>;
  } catch (e) {
    if (e instanceof ConfigError) return fail('malformed', e.problem, e.valid);
    throw e;
  }
}
