// `npm run bench`: how fast the engine trains and evaluates the reference CNN (or, with --model, the small
// ResNet), in Node on every adapter present (per kernel, against the adapter's own matmul ceiling), then in
// headless Chromium beside TensorFlow.js training the same network in the same browser (the reference CNN
// only: that is the network TF.js builds here). Prints figures; asserts nothing.
import { loadMnistFromPackage } from '../data/mnist_node';
import type { Mnist } from '../data/mnist';
import { EngineError, createNodeEngine, fileTuningStore, type Engine } from '../node';
import { measureEngine, type EngineBenchOptions, type EngineReport } from '../bench/measure_engine';
import { benchInBrowser, type BrowserReport } from './bench_browser';
import { parseBenchOptions, USAGE, type BenchOptions } from './bench_options';
import { printBrowserReport, printEngineReport } from './bench_tables';
import { parseCommandLine, runCommand } from './run_command';

/** Every Node adapter asked for that is present; an absent one is a line of the report, unless it was asked for by name. */
async function benchNode(options: BenchOptions, measure: EngineBenchOptions, mnist: Mnist): Promise<EngineReport[]> {
  const reports: EngineReport[] = [];
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
      const report = await measureEngine(engine, mnist, measure);
      reports.push(report);
      if (!options.json) printEngineReport(report.adapter, report);
    } finally {
      engine.dispose();
    }
  }
  return reports;
}

async function main(): Promise<number> {
  const options = parseCommandLine('bench', USAGE, () => parseBenchOptions(process.argv.slice(2)));
  if (typeof options === 'number') return options;
  const measure: EngineBenchOptions = { model: options.model, stepsPerSubmit: options.stepsPerSubmit, steps: options.steps, batchSize: options.batchSize, evalImages: options.evalImages };
  const result: Record<string, unknown> & { adapters?: EngineReport[]; browser?: BrowserReport } = {
    date: new Date().toISOString(), model: options.model, steps_per_submit: options.stepsPerSubmit, batch_size: options.batchSize, steps: options.steps, eval_images: options.evalImages, tfjs_steps: options.tfjsSteps,
  };
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
