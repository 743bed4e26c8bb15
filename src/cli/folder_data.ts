// An image folder as the command-line tools' data (torchvision's ImageFolder layout): for training, a seeded
// stratified split into training and validation images (and, with --test-data, a second folder of the same
// classes as the test set); for evaluation, the whole folder at a saved network's input shape.
import { ConfigError, Dataset, stratifiedSplit, subset, type Engine, type ImageFolderData, type Normalization } from '../index';
import { loadImageFolder } from '../node';
import { checkSameClasses, type CommandData } from './datasets';
import { Random } from '../random';

export interface FolderLoadOptions {
  /** A side in pixels; default: the pictures' own size when they share one (else loadImageFolder refuses). */
  imageSize?: number | [number, number];
  /** Default: 1 when every picture is grayscale, else 3. */
  channels?: 1 | 3;
}

/** Loads `dir`, showing how far it got on a terminal, and says in one line what it found. */
export async function loadFolder(dir: string, options: FolderLoadOptions): Promise<ImageFolderData> {
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  const started = performance.now();
  const data = await loadImageFolder(dir, {
    ...options,
    onProgress: ({ done, total }) => {
      const now = performance.now();
      if (!tty || (now - lastDraw < 200 && done !== total)) return;
      lastDraw = now;
      process.stderr.write(`\rLoading ${dir}: ${done}/${total} images\x1b[K`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const seconds = (performance.now() - started) / 1000;
  console.log(`Loaded ${data.labels.length} images of ${data.classes.length} classes from ${dir} as ${data.sampleShape.join('×')} samples in ${seconds.toFixed(1)} s`);
  return data;
}

export interface FolderTrainingOptions extends FolderLoadOptions {
  dir: string;
  /** The fraction of each class held out for validation. */
  valSplit: number;
  /** Seeds the split (the run's --seed). */
  seed: number;
  normalize?: Normalization;
  /** A folder with the same classes, evaluated once after training as the test set. */
  testDir?: string;
}

/**
 * The folder split for training (validation as the held-out set), plus the test folder when given. With
 * valSplit 0 the whole folder trains and the test folder is the held-out set, as MNIST's test set is.
 */
export async function folderTrainingData(engine: Engine, options: FolderTrainingOptions): Promise<CommandData> {
  const data = await loadFolder(options.dir, options);
  const { train, validation } = stratifiedSplit(data.labels, { validation: options.valSplit, seed: options.seed });
  if (validation.length === 0 && options.valSplit > 0) {
    throw new ConfigError(options.dir, `--val-split ${options.valSplit} holds out no image (a class of one image stays in training)`, 'Give every class at least two images, or a larger --val-split.');
  }
  // The test folder is read at the training samples' shape, so the network takes its samples as they are.
  const [channels, height, width] = data.sampleShape;
  const test = options.testDir === undefined ? undefined : await loadFolder(options.testDir, { imageSize: [height, width], channels: channels as 1 | 3 });
  if (test) checkSameClasses(test.classes, options.testDir!, data.classes, options.dir);
  const upload = (part: ImageFolderData, name: string) => Dataset.upload(engine, { ...part, name, normalize: options.normalize });
  // A folder lists its pictures class by class: held-out sets go in a seeded mixed order, so that the
  // first --eval-limit of them, evaluated during training, are a sample of every class, as MNIST's are.
  const mixed = (part: ImageFolderData, indices: ArrayLike<number> = [...part.labels.keys()]) => {
    const order = new Random(options.seed).permutation(indices.length);
    return subset(part, Array.from(order, (k) => indices[k]));
  };
  const testMixed = test && mixed(test);
  const testSet = testMixed && { key: 'test' as const, dataset: upload(testMixed, options.testDir!), samples: testMixed.samples };
  const held = validation.length > 0 ? mixed(data, validation) : undefined;
  const common = { source: options.dir, classes: data.classes, sampleShape: data.sampleShape, normalize: options.normalize };
  const training = upload(held ? subset(data, train) : data, `${options.dir} (training)`);
  if (!held) {
    if (!testSet) throw new ConfigError(options.dir, '--val-split 0 holds nothing out and no test folder was given', 'Give --test-data DIR, or a --val-split above 0.');
    return { ...common, train: training, heldOut: testSet };
  }
  return {
    ...common,
    train: training,
    heldOut: { key: 'validation', dataset: upload(held, `${options.dir} (validation)`), samples: held.samples },
    test: testSet,
  };
}

/** The whole folder `dir` at `sampleShape` ([channels, height, width], a saved network's input), for evaluation. */
export async function folderEvaluationData(engine: Engine, dir: string, sampleShape: readonly number[], normalize?: Readonly<Normalization>): Promise<CommandData> {
  const [channels, height, width] = sampleShape;
  if (sampleShape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new ConfigError(dir, `the network takes inputs of shape [${sampleShape.join(', ')}]`, 'An image folder gives samples of 1 or 3 channels: [1 or 3, height, width].');
  }
  const data = await loadFolder(dir, { imageSize: [height, width], channels });
  const normalization = normalize && { mean: [...normalize.mean], std: [...normalize.std] };
  return {
    source: dir,
    classes: data.classes,
    sampleShape: data.sampleShape,
    normalize: normalization,
    heldOut: { key: 'validation', dataset: Dataset.upload(engine, { ...data, name: dir, normalize: normalization }), samples: data.samples },
  };
}
