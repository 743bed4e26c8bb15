// `npm run eval -- --load FILE`: the accuracy of a weights file (or a checkpoint) of a network (the reference CNN by default) on
// the 10,000 MNIST test images, and a sha256 of its 10,000 predicted labels (one byte each), so two
// runs, adapters or frameworks can be compared by one line. PyTorch weights load as they are.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadMnistFromPackage } from '../data/mnist_node';
import { createNodeEngine, Dataset, fileTuningStore, loadWeightsFile, type AdapterChoice, type Engine } from '../node';
import { MODEL_NAMES, MODELS, type ModelName } from './models';
import { parseCommandLine, runCommand, UsageError } from './run_command';
import { ADAPTERS } from './train_options';

const USAGE = [
  'Usage: npm run eval -- --load FILE [options]   (or: node dist/cli/eval.js --load FILE [options])',
  '',
  'Evaluates the weights of a network in FILE (safetensors: a PyTorch state_dict, a file of saveWeights,',
  'or a checkpoint of `npm run train -- --save`) on the 10,000 MNIST test images.',
  '',
  'Options:',
  '  --load FILE         the weights (required)',
  `  --model NAME        ${MODEL_NAMES.join(', ')} (default reference)`,
  `  --adapter NAME      ${ADAPTERS.join(', ')} (default $WEBGPU_ADAPTER, else auto)`,
  '  --json              end with one line of JSON: test_accuracy, predictions_sha256, adapter, …',
  '  --help              print this and exit',
].join('\n');

function parse(args: readonly string[]) {
  let values: { load?: string; model?: string; adapter?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { load: { type: 'string' }, model: { type: 'string' }, adapter: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return { help: true, load: '', model: 'reference' as ModelName, adapter: undefined, json: false };
  if (!values.load) throw new UsageError('--load FILE is required');
  const model = values.model ?? 'reference';
  if (!MODEL_NAMES.includes(model as ModelName)) throw new UsageError(`--model is "${model}"; it must be one of ${MODEL_NAMES.join(', ')}`);
  if (values.adapter !== undefined && !ADAPTERS.includes(values.adapter as AdapterChoice)) {
    throw new UsageError(`--adapter is "${values.adapter}"; it must be one of ${ADAPTERS.join(', ')}`);
  }
  return { help: false, load: values.load, model: model as ModelName, adapter: values.adapter as AdapterChoice | undefined, json: values.json === true };
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseCommandLine('eval', USAGE, () => parse(args));
  if (typeof options === 'number') return options;
  let engine: Engine | undefined;
  try {
    const mnist = await loadMnistFromPackage();
    engine = await createNodeEngine({ adapter: options.adapter, tuningStore: fileTuningStore() });
    const model = MODELS[options.model](engine, 0);
    await loadWeightsFile(model, options.load);
    const test = Dataset.upload(engine, { samples: mnist.test.images, labels: mnist.test.labels, sampleShape: [1, 28, 28], name: 'MNIST test' });
    const started = performance.now();
    const result = await model.evaluate(test, { predictions: true });
    const seconds = (performance.now() - started) / 1000;
    // Labels are 0–9: one byte each.
    const sha256 = createHash('sha256').update(Uint8Array.from(result.predictions!)).digest('hex');
    console.log(`Test accuracy of ${options.load} on the ${result.count} test images: ${(100 * result.accuracy).toFixed(2)}%`);
    console.log(`Predictions sha256: ${sha256}`);
    console.log(`Adapter: ${engine.adapter.label} (${seconds.toFixed(1)} s)`);
    if (options.json) {
      console.log(JSON.stringify({
        test_accuracy: result.accuracy, test_correct: result.correct, test_count: result.count, predictions_sha256: sha256,
        adapter: engine.adapter.label, software_adapter: engine.adapter.software, file: options.load, model: options.model, eval_seconds: seconds,
      }));
    }
    await model.dispose();
    test.dispose();
    return 0;
  } finally {
    engine?.dispose();
  }
}

runCommand('eval', () => main(process.argv.slice(2)));
