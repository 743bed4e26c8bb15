// `npm run train -- --report FILE`: the run's report, written after the final evaluation from what the
// command already has (the logged losses, the accuracies it measured while training, the final predictions).
import type { Engine } from '../gpu/engine';
import type { Sequential } from '../model';
import type { ReportInput } from '../report/collect';
import { grouped } from '../report/html';
import { writeReport } from '../report/write';
import type { FitResult } from '../trainer';
import { duration } from './progress_bar';
import type { TrainOptions } from './train_options';

export interface TrainReportInput {
  model: Sequential;
  engine: Engine;
  options: TrainOptions;
  result: FitResult;
  /** The accuracies printed while training. */
  accuracies: ReportInput['history']['accuracy'];
  /** The dataset's name ("MNIST") and how many training samples the run used. */
  dataset: { name: string; trainCount: number };
  evaluation: ReportInput['evaluation'];
  classNames?: readonly string[];
}

/** Writes the report to `path` and prints where it went and how long its map took. */
export async function writeTrainReport(path: string, input: TrainReportInput): Promise<void> {
  const { model, engine, options, result } = input;
  const optimizer = `${options.optimizer}, lr ${options.lr}${options.schedule === 'constant' ? '' : `, ${options.schedule} schedule`}`;
  const facts: Array<[string, string]> = [
    ['network', `${options.model} (${grouped(model.parameterCount)} parameters)`],
    ['training samples', `${grouped(input.dataset.trainCount)} × ${options.epochs} epoch${options.epochs > 1 ? 's' : ''}`],
    ['batch', String(options.batchSize)],
    ['optimizer', optimizer],
    ['steps', grouped(result.steps)],
    ['seed', String(options.seed)],
    ['training time', `${duration(result.seconds)} (${result.samplesPerSecond.toFixed(1)} samples/s)`],
    ['adapter', engine.adapter.label],
  ];
  const started = performance.now();
  const { bytes, mapSeconds } = await writeReport(path, {
    model, title: `Training report: the ${options.model} network on ${input.dataset.name}`, facts, classNames: input.classNames,
    history: { loss: result.logs.map(({ step, loss }) => ({ step, loss })), accuracy: input.accuracies },
    evaluation: input.evaluation, seed: options.seed,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`Wrote the report ${path} (${(bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s, ${mapSeconds.toFixed(1)} s of it laying out the map by UMAP`);
}
