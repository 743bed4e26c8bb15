// `npm run eval -- --load FILE`: the accuracy of a weights file (or a checkpoint) on the 10,000 MNIST test
// images (or the first --test-limit), per class too, and a sha256 of its predicted labels (one byte each), so two runs,
// adapters or frameworks can be compared by one line. The network is rebuilt from the file's description
// (webgpu_cnn.network, input shape, classes: a file of `npm run train -- --save`); a file without one (a
// PyTorch state_dict) is taken as the network --model names, the reference CNN by default. With --data DIR it
// evaluates the whole image folder DIR instead, read at the network's input shape (size and channels).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadMnistFromPackage } from '../data/mnist_node';
import { createNodeEngine, fileTuningStore, loadWeights, readModelInfo, type AdapterChoice, type Engine } from '../node';
import { checkModelFitsData, disposeData, MNIST, mnistData, perClassLine, perClassTable, type CommandData } from './datasets';
import { folderEvaluationData } from './folder_data';
import { isModelName, MODEL_NAMES, MODELS, networkOf } from './models';
import { column, numberFlags, numbersUsage, parseFlags, parseNumbers, type NumberSpec } from './options';
import { parseCommandLine, runCommand, UsageError } from './run_command';
import { ADAPTERS, TEST_IMAGES } from './train_options';

const NUMBERS: Record<'testLimit', NumberSpec> = {
  testLimit: { flag: 'test-limit', value: 'N', default: TEST_IMAGES, min: 1, max: TEST_IMAGES, integer: true, help: 'evaluate the first N test images' },
};

const USAGE = [
  'Usage: npm run eval -- --load FILE [options]   (or: node dist/cli/eval.js --load FILE [options])',
  '',
  'Evaluates the weights of a network in FILE (safetensors: a file of `npm run train -- --save` or of saveWeights,',
  'a checkpoint, or a PyTorch state_dict) on the 10,000 MNIST test images. The network is rebuilt from what the',
  'file says of it (its name, input shape and classes); a file that says nothing is taken as --model.',
  'With --data DIR it evaluates every picture of the image folder DIR (one sub-folder per class) instead, resized to',
  'the network\'s input size and channels; its classes must be the file\'s (--test-limit is MNIST\'s and refused there).',
  '',
  'Options:',
  column('--load FILE', 'the weights (required)'),
  column('--data DIR', 'evaluate on the image folder DIR instead of MNIST'),
  column('--model NAME', `${MODEL_NAMES.join(', ')}: for a file that does not name its network (default reference)`),
  ...numbersUsage(NUMBERS),
  column('--adapter NAME', `${ADAPTERS.join(', ')} (default $WEBGPU_ADAPTER, else auto)`),
  column('--json', 'end with one line of JSON: test_accuracy, per_class_accuracy, classes, predictions_sha256, adapter, …'),
  column('--help', 'print this and exit'),
].join('\n');

function parse(args: readonly string[]) {
  const values = parseFlags(args, { ...numberFlags(NUMBERS), load: { type: 'string' }, data: { type: 'string' }, model: { type: 'string' }, adapter: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } });
  const { testLimit } = parseNumbers(NUMBERS, values);
  const help = values.help === true;
  const load = values.load as string | undefined;
  if (!help && !load) throw new UsageError('--load FILE is required');
  const model = values.model as string | undefined;
  if (model !== undefined && !isModelName(model)) throw new UsageError(`--model is "${model}"; it must be one of ${MODEL_NAMES.join(', ')}`);
  const adapter = values.adapter as string | undefined;
  if (adapter !== undefined && !ADAPTERS.includes(adapter as AdapterChoice)) {
    throw new UsageError(`--adapter is "${adapter}"; it must be one of ${ADAPTERS.join(', ')}`);
  }
  const data = values.data as string | undefined;
  if (data === '') throw new UsageError('--data needs a folder name');
  if (data !== undefined && values['test-limit'] !== undefined) throw new UsageError('--test-limit applies to MNIST, not to --data: every picture of the folder is evaluated');
  return { help, load: load ?? '', data, model, testLimit, adapter: adapter as AdapterChoice | undefined, json: values.json === true };
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseCommandLine('eval', USAGE, () => parse(args));
  if (typeof options === 'number') return options;
  let engine: Engine | undefined;
  try {
    const buffer = await readFile(options.load);
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const saved = readModelInfo(bytes, { source: options.load });
    const network = networkOf(options.load, saved, options.model);
    const mnist = options.data === undefined ? await loadMnistFromPackage() : undefined;
    engine = await createNodeEngine({ adapter: options.adapter, tuningStore: fileTuningStore() });
    const model = MODELS[network](engine, { seed: 0, inputShape: saved?.inputShape, classes: saved?.classes?.length });
    await loadWeights(model, bytes, { source: options.load });
    if (mnist) checkModelFitsData(model, options.load, MNIST);
    // Normalised as the file says its network was trained; a folder read at the network's input shape.
    let data: CommandData;
    if (mnist) data = mnistData(engine, mnist, { normalize: model.info.normalize });
    else {
      data = await folderEvaluationData(engine, options.data!, model.shapes[0], model.info.normalize);
      try {
        checkModelFitsData(model, options.load, data);
      } catch (e) {
        disposeData(data);
        throw e;
      }
    }
    const { dataset } = data.heldOut;
    const started = performance.now();
    const result = await model.evaluate(dataset, { limit: mnist ? options.testLimit : undefined, predictions: true });
    const seconds = (performance.now() - started) / 1000;
    // One byte per label where there are at most 256 classes (MNIST's 0–9), else four (little-endian u32).
    const labels = data.classes.length <= 256 ? Uint8Array.from(result.predictions!) : new Uint8Array(Uint32Array.from(result.predictions!).buffer);
    const sha256 = createHash('sha256').update(labels).digest('hex');
    if (mnist) {
      console.log(`Test accuracy of ${options.load} (${network}) on the ${result.count} test images: ${(100 * result.accuracy).toFixed(2)}%`);
      console.log(`Per-class accuracy: ${perClassLine(data.classes, result.perClassAccuracy)}`);
    } else {
      console.log(`Accuracy of ${options.load} (${network}) on the ${result.count} images of ${options.data}: ${(100 * result.accuracy).toFixed(2)}%`);
      console.log(`Per-class accuracy:\n${perClassTable(data.classes, result.perClassAccuracy, dataset.hostLabels)}`);
    }
    console.log(`Predictions sha256: ${sha256}`);
    console.log(`Adapter: ${engine.adapter.label} (${seconds.toFixed(1)} s)`);
    if (options.json) {
      // A folder's figures are the whole folder's: accuracy, correct, count (MNIST's are its test set's).
      const prefix = mnist ? 'test_' : '';
      console.log(JSON.stringify({
        [`${prefix}accuracy`]: result.accuracy, [`${prefix}correct`]: result.correct, [`${prefix}count`]: result.count, data: options.data ?? 'MNIST',
        classes: data.classes, per_class_accuracy: result.perClassAccuracy.map((a) => a ?? null), predictions_sha256: sha256,
        adapter: engine.adapter.label, software_adapter: engine.adapter.software, file: options.load, model: network, described: saved !== undefined, eval_seconds: seconds,
      }));
    }
    await model.dispose();
    disposeData(data);
    return 0;
  } finally {
    engine?.dispose();
  }
}

runCommand('eval', () => main(process.argv.slice(2)));
