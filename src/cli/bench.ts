// `npm run bench`: how fast the engine trains and evaluates the reference CNN (or, with --model, the small
// ResNet), in Node on every adapter present (per kernel, against the adapter's own matmul ceiling), then in
// headless Chromium beside TensorFlow.js training the same network in the same browser (the reference CNN
// only: that is the network TF.js builds here). Prints figures; asserts nothing.
import { loadMnistFromPackage } from '../data/mnist_node';
import type { Mnist } from '../data/mnist';
import { EngineError, createNodeEngine, fileTuningStore, type Engine } from '../node';
import { measureActivationFusion, type FusionNetworkReport } from '../bench/activation_fusion';
import { measureEngine, type EngineBenchOptions, type EngineReport } from '../bench/measure_engine';
import { benchInBrowser, type BrowserReport } from './bench_browser';
import { parseBenchOptions, USAGE, type BenchOptions } from './bench_options';
import { printBrowserReport, printEngineReport, printFusionReport } from './bench_tables';
import { parseCommandLine, runCommand } from './run_command';

/** Runs `measure` on every Node adapter asked for that is present; an absent one is a line of the report, unless it was asked for by name. */
async function onEachAdapter<T>(options: BenchOptions, measure: (engine: Engine) => Promise<T>, print: (adapter: string, report: T) => void): Promise<Array<{ adapter: string; report: T }>> {
  const reports: Array<{ adapter: string; report: T }> = [];
  for (const choice of options.adapters) {
    let engine: Engine;
    try {
      engine = await createNodeEngine({ adapter: choice, tuningStore: fileTuningStore() });
    } catch (e) {
      if (!(e instanceof EngineError) || options.adapterRequired) throw e;
      if (!options.json) console.log(`\n${choice}: not present`);
      continue;
    }
    try {
      const report = await measure(engine);
      reports.push({ adapter: engine.adapter.label, report });
      if (!options.json) print(engine.adapter.label, report);
    } finally {
      engine.dispose();
    }
  }
  return reports;
}

async function benchNode(options: BenchOptions, measure: EngineBenchOptions, mnist: Mnist): Promise<EngineReport[]> {
  return (await onEachAdapter(options, (engine) => measureEngine(engine, mnist, measure), printEngineReport)).map((r) => r.report);
}

/** `--activation-fusion`: the fusion networks on every Node adapter asked for. */
async function benchFusion(options: BenchOptions): Promise<Array<{ adapter: string; report: FusionNetworkReport[] }>> {
  return onEachAdapter(options, (engine) => measureActivationFusion(engine, { batchSize: options.batchSize, rounds: options.steps }), printFusionReport);
}

async function main(): Promise<number> {
  const options = parseCommandLine('bench', USAGE, () => parseBenchOptions(process.argv.slice(2)));
  if (typeof options === 'number') return options;
  const measure: EngineBenchOptions = { model: options.model, stepsPerSubmit: options.stepsPerSubmit, steps: options.steps, batchSize: options.batchSize, evalImages: options.evalImages };
  const result: Record<string, unknown> & { adapters?: EngineReport[]; browser?: BrowserReport } = {
    date: new Date().toISOString(), model: options.model, steps_per_submit: options.stepsPerSubmit, batch_size: options.batchSize, steps: options.steps, eval_images: options.evalImages, tfjs_steps: options.tfjsSteps,
  };
  if (options.activationFusion) {
    result.activation_fusion = await benchFusion(options);
    if (options.json) console.log(JSON.stringify(result));
    return 0;
  }
  if (options.host !== 'browser') result.adapters = await benchNode(options, measure, await loadMnistFromPackage());
  if (options.host !== 'node') {
    result.browser = await benchInBrowser({
      engine: measure,
      tfjs: { ...measure, steps: options.tfjsSteps },
      tfjsBackends: options.model === 'reference' ? options.tfjsBackends : [],
      onStart: (what) => console.error(`measuring ${what}…`),
    });
    if (!options.json) printBrowserReport(result.browser);
  }
  if (options.json) console.log(JSON.stringify(result));
  return 0;
}

runCommand('bench', main);
