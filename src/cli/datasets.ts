// What the command-line tools train and evaluate on: datasets uploaded once, with the class names that go
// into a saved file's metadata and into the JSON summaries. MNIST is one source; an image folder is
// another of the same shape (one more function returning CommandData).
import type { Mnist } from '../data/mnist';
import { ConfigError, Dataset, type Engine, type Normalization, type Sequential } from '../index';

export const MNIST_CLASSES: readonly string[] = Array.from({ length: 10 }, (_, i) => String(i));
const MNIST_SHAPE = [1, 28, 28];
const PIXELS = 28 * 28;
/** What MNIST is, before anything is uploaded: for checking a model against it first. */
export const MNIST: Pick<CommandData, 'source' | 'classes' | 'sampleShape'> = { source: 'MNIST', classes: MNIST_CLASSES, sampleShape: MNIST_SHAPE };

/** A labelled set the run evaluates, under the name its JSON summary gives it (`test_accuracy`, `validation_accuracy`). */
export interface HeldOutSet {
  key: 'test' | 'validation';
  dataset: Dataset;
  /** Its samples as uploaded ([n, ...sampleShape] pixels), for the report's pictures. */
  samples: Uint8Array;
}

export interface CommandData {
  /** Names the data in messages: "MNIST", or a folder. */
  source: string;
  classes: readonly string[];
  sampleShape: readonly number[];
  /** The normalisation the datasets apply (on the GPU), which the model's description records. */
  normalize?: Normalization;
  /** What training uses; absent where the command only evaluates. */
  train?: Dataset;
  /** The set evaluated during and after training, whose per-class figures the run reports. */
  heldOut: HeldOutSet;
  /** A test set evaluated once after training, beside a validation set (an image folder's --test-data). */
  test?: HeldOutSet;
}

/**
 * MNIST: the first `trainLimit` training images (when training) and the 10,000 test images, normalised on
 * the GPU with `normalize` when given (a file's normalisation, to evaluate it as it was trained).
 */
export function mnistData(engine: Engine, mnist: Mnist, options: { trainLimit?: number; normalize?: Readonly<Normalization> } = {}): CommandData {
  const { trainLimit } = options;
  const normalize = options.normalize && { mean: [...options.normalize.mean], std: [...options.normalize.std] };
  const upload = (images: Uint8Array, labels: Uint8Array, name: string) => Dataset.upload(engine, { samples: images, labels, sampleShape: MNIST_SHAPE, name, normalize });
  return {
    ...MNIST,
    normalize,
    train: trainLimit === undefined ? undefined : upload(mnist.train.images.subarray(0, trainLimit * PIXELS), mnist.train.labels.subarray(0, trainLimit), 'MNIST train'),
    heldOut: { key: 'test', dataset: upload(mnist.test.images, mnist.test.labels, 'MNIST test'), samples: mnist.test.images },
  };
}

export function disposeData(data: CommandData): void {
  data.train?.dispose();
  data.heldOut.dataset.dispose();
  data.test?.dataset.dispose();
}

/**
 * Refuses data a model loaded from `file` cannot be evaluated on: other input shapes, or other classes
 * (the file's names, when it has them, must be the data's, in the same order, since an output's index
 * means the class at that position).
 */
export function checkModelFitsData(model: Sequential, file: string, data: Pick<CommandData, 'source' | 'classes' | 'sampleShape'>): void {
  const input = model.shapes[0];
  if (input.join() !== data.sampleShape.join()) {
    throw new ConfigError(file, `its network takes inputs of shape [${input.join(', ')}], the samples of ${data.source} are [${data.sampleShape.join(', ')}]`, 'Evaluate it on data of the shape it was trained on.');
  }
  if (model.info.classes) checkSameClasses(model.info.classes, file, data.classes, data.source);
  else if (model.classes !== data.classes.length) {
    throw new ConfigError(file, `its network has ${model.classes ?? 'no'} class outputs, ${data.source} has ${data.classes.length} classes`, 'Evaluate it on data with as many classes as it outputs.');
  }
}

/** A file's classes and the data's must be the same names in the same order; the error lists both. */
export function checkSameClasses(fileClasses: readonly string[], file: string, dataClasses: readonly string[], source: string): void {
  if (fileClasses.length === dataClasses.length && fileClasses.every((name, i) => name === dataClasses[i])) return;
  const list = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(', ');
  const sameSet = fileClasses.length === dataClasses.length && [...fileClasses].sort().join('\0') === [...dataClasses].sort().join('\0');
  throw new ConfigError(
    file,
    `its classes are ${list(fileClasses)}; the classes of ${source} are ${list(dataClasses)}${sameSet ? ' (the same names in another order)' : ''}`,
    'Evaluate it on data with the classes it was trained on, in the same order.',
  );
}

/** Each class's accuracy in one line, "0 99.29%, 1 99.47%, …" ("–" for a class with no sample evaluated). */
export function perClassLine(classes: readonly string[], accuracy: ReadonlyArray<number | undefined>): string {
  return classes.map((name, i) => {
    const a = accuracy[i];
    return `${name} ${a === undefined ? '–' : `${(100 * a).toFixed(2)}%`}`;
  }).join(', ');
}

/**
 * Each class's accuracy as a table, one class a line, with how many of its samples were evaluated (the first
 * `labels.length` of the set): for data whose class names are words.
 */
export function perClassTable(classes: readonly string[], accuracy: ReadonlyArray<number | undefined>, labels: ArrayLike<number>): string {
  const counts = new Array<number>(classes.length).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const width = Math.max(5, ...classes.map((name) => name.length));
  const rows = classes.map((name, i) => {
    const a = accuracy[i];
    return `  ${name.padEnd(width)}  ${(a === undefined ? '–' : `${(100 * a).toFixed(2)}%`).padStart(8)}  ${String(counts[i]).padStart(6)}`;
  });
  return [`  ${'class'.padEnd(width)}  ${'accuracy'.padStart(8)}  ${'images'.padStart(6)}`, ...rows].join('\n');
}
