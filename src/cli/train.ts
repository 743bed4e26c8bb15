// `npm run train`: trains a CNN (the reference network by default, or the small ResNet) on MNIST in Node, printing what the PyTorch tutorial prints
// (the loss and the accuracy on the first test images every few steps, then the test accuracy and ten
// predictions), plus the adapter and the speed. Bundled by Vite (`--mode cli`) so the shaders are inlined.
import { loadMnistFromPackage } from '../data/mnist_node';
import { createNodeEngine, fileTuningStore, loadCheckpointFile, saveCheckpointFile, type Engine, type TrainingLog } from '../node';
import { disposeData, mnistData, perClassLine, perClassTable, type CommandData } from './datasets';
import { folderTrainingData } from './folder_data';
import { formatAugment, checkAugment } from '../data/augment';
import { MODELS } from './models';
import { OPTIMIZERS } from './optimizers';
import { parseCommandLine, runCommand } from './run_command';
import { duration, ProgressBar } from './progress_bar';
import { parseTrainOptions, USAGE, type TrainOptions } from './train_options';
import { checkReportPath } from '../report/write';
import { writeTrainReport } from './train_report';

const SHOWN_PREDICTIONS = 10;

const percent = (accuracy: number) => `${(100 * accuracy).toFixed(2)}%`;

/** Trains on `data` (its train set, evaluating its held-out set) and returns the JSON summary. */
async function train(engine: Engine, data: CommandData, options: TrainOptions): Promise<Record<string, unknown>> {
  const { epochs, batchSize, lr, seed, evalEvery, evalLimit, testLimit, save, resume, schedule, stepSize, gamma, warmupSteps, clipGradNorm } = options;
  const trainSet = data.train!;
  const { key: heldOutKey, dataset: testSet } = data.heldOut;
  const augment = options.augment && checkAugment('--augment', options.augment, data.sampleShape);
  const heldOutName = heldOutKey === 'test' ? 'Test' : 'Validation';
  const limit = trainSet.count;
  const model = MODELS[options.model](engine, { seed, inputShape: data.sampleShape, classes: data.classes.length });
  // What a saved file says about its model, so `npm run eval` and classify() can use it again.
  model.info = { network: options.model, classes: data.classes, ...(data.normalize && { normalize: data.normalize }) };
  const optimizer = OPTIMIZERS[options.optimizer](lr, options.weightDecay);
  model.compile({ optimizer });
  if (resume) await loadCheckpointFile(model, resume);
  const stepsPerEpoch = Math.floor(limit / batchSize);
  console.log(
    `Training the ${options.model} network on ${limit} images (${stepsPerEpoch} steps of ${batchSize} per epoch) for ${epochs} epoch${epochs > 1 ? 's' : ''}, ` +
      `${optimizer.kind} lr ${lr}${optimizer.weightDecay ? `, weight decay ${optimizer.weightDecay}` : ''}${schedule === 'constant' ? '' : ` (${schedule} schedule)`}` +
      `${clipGradNorm === undefined ? '' : `, gradients clipped to norm ${clipGradNorm}`}${augment ? `, augmented (${formatAugment(augment)})` : ''}, seed ${seed}, on ${engine.adapter.label}`,
  );
  const startStep = model.step;
  if (resume) {
    const runStep = model.step - (model.run?.startStep ?? model.step);
    console.log(`Resuming ${resume} at step ${model.step}: epoch ${Math.floor(runStep / stepsPerEpoch) + 1}, after step ${runStep % stepsPerEpoch} of ${stepsPerEpoch}`);
  }

  // Stop cleanly on the first Ctrl-C and still report; a second one quits (Node's default).
  const stop = new AbortController();
  process.once('SIGINT', () => {
    stop.abort();
    console.error('\nStopping after this step (Ctrl-C again to quit).');
  });
  const bar = new ProgressBar();
  let evalSeconds = 0;
  const accuracies: Array<{ step: number; accuracy: number; count: number }> = [];
  const onLog = async (log: TrainingLog) => {
    let line = `Epoch [${log.epoch}/${epochs}], Step [${log.epochStep}/${log.stepsPerEpoch}], Loss: ${log.loss.toFixed(4)}`;
    if (evalLimit > 0) {
      const started = performance.now();
      const evaluation = await model.evaluate(testSet, { limit: evalLimit });
      evalSeconds += (performance.now() - started) / 1000;
      line += `, ${heldOutName} accuracy (first ${evaluation.count}): ${percent(evaluation.accuracy)}`;
      accuracies.push({ step: log.step, accuracy: evaluation.accuracy, count: evaluation.count });
    }
    bar.clear();
    console.log(line);
    // A checkpoint at every log line, so a crash loses at most evalEvery steps (written atomically).
    if (save) await saveCheckpointFile(model, save);
  };
  const result = await model.fit(trainSet, {
    epochs, batchSize, seed, logEvery: evalEvery, onLog, onProgress: (p) => bar.update(p), signal: stop.signal,
    maxSteps: options.maxSteps || undefined, resume: resume !== undefined, schedule, stepSize, gamma, warmupSteps, clipGradNorm, augment: options.augment,
  });
  bar.clear();
  // The parameters the run uses, PyTorch's defaults filled in (gamma 0.1, …).
  const { name: _name, ...scheduleParameters } = model.run!.schedule;
  if (result.stopped) console.log(`Stopped early after ${result.steps} steps.`);
  if (save) {
    await saveCheckpointFile(model, save);
    console.log(`Saved checkpoint ${save} at step ${model.step}`);
  }

  const final = await model.evaluate(testSet, { limit: testLimit, predictions: true });
  const shown = Math.min(SHOWN_PREDICTIONS, final.count);
  const predicted = [...final.predictions!.subarray(0, shown)];
  const actual = [...testSet.hostLabels.subarray(0, shown)];
  const named = (indices: number[]) => indices.map((i) => data.classes[i]).join(' ');
  console.log(`${heldOutName} accuracy of the model on the ${final.count} ${heldOutKey} images: ${percent(final.accuracy)}`);
  if (heldOutKey === 'test') console.log(`Per-class accuracy: ${perClassLine(data.classes, final.perClassAccuracy)}`);
  else console.log(`Per-class accuracy:\n${perClassTable(data.classes, final.perClassAccuracy, testSet.hostLabels.subarray(0, final.count))}`);
  const test = data.test && (await model.evaluate(data.test.dataset));
  if (test) {
    console.log(`Test accuracy of the model on the ${test.count} images of ${data.test!.dataset.name}: ${percent(test.accuracy)}`);
    console.log(`Per-class test accuracy:\n${perClassTable(data.classes, test.perClassAccuracy, data.test!.dataset.hostLabels)}`);
  }
  console.log(`Predicted: ${named(predicted)}`);
  console.log(`Actual:    ${named(actual)}`);
  console.log(`Adapter: ${engine.adapter.label}`);
  console.log(
    `Trained ${result.steps} steps (${result.steps * batchSize} images) in ${duration(result.seconds)} ` +
      `(${result.seconds.toFixed(1)} s, not counting ${evalSeconds.toFixed(1)} s of periodic evaluation): ${result.samplesPerSecond.toFixed(1)} samples/s`,
  );
  if (options.report) {
    await writeTrainReport(options.report, {
      model, engine, options, result, accuracies, dataset: { name: data.source, trainCount: limit }, classNames: data.classes,
      evaluation: { name: `${heldOutKey} images`, samples: data.heldOut.samples, sampleShape: data.sampleShape, labels: testSet.hostLabels, predictions: final.predictions! },
    });
  }
  await model.dispose();
  return {
    [`${heldOutKey}_accuracy`]: final.accuracy,
    [`${heldOutKey}_correct`]: final.correct,
    [`${heldOutKey}_count`]: final.count,
    ...(test && { test_accuracy: test.accuracy, test_correct: test.correct, test_count: test.count, test_per_class_accuracy: test.perClassAccuracy.map((a) => a ?? null) }),
    classes: data.classes,
    // A class with no sample among those evaluated has no accuracy: null in the JSON.
    per_class_accuracy: final.perClassAccuracy.map((a) => a ?? null),
    train_seconds: result.seconds,
    eval_seconds: evalSeconds,
    samples_per_s: result.samplesPerSecond,
    steps: result.steps,
    start_step: startStep,
    model_step: model.step,
    stopped: result.stopped,
    final_loss: result.finalLoss,
    losses: result.logs.map(({ epoch, step, loss }) => ({ epoch, step, loss })),
    predictions: predicted,
    labels: actual,
    seed, adapter: engine.adapter.label, software_adapter: engine.adapter.software,
    model: options.model, schedule, parameters: model.parameterCount,
    optimizer: optimizer.kind, weight_decay: optimizer.weightDecay, clip_grad_norm: clipGradNorm ?? null,
    schedule_parameters: scheduleParameters,
    epochs, batch_size: batchSize, lr, limit, eval_every: evalEvery, eval_limit: evalLimit,
    checkpoint: save ?? null, resumed_from: resume ?? null,
    data: options.data ?? 'MNIST', sample_shape: data.sampleShape, augment: augment ? formatAugment(augment) : null, normalize: data.normalize ?? null,
    ...(options.data !== undefined && { val_split: options.valSplit, train_count: limit }),
  };
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseCommandLine('train', USAGE, () => parseTrainOptions(args));
  if (typeof options === 'number') return options;
  // Before any work: a run must not train for an hour to find it cannot write its report.
  if (options.report) checkReportPath(options.report);
  let engine: Engine | undefined;
  try {
    const mnist = options.data === undefined ? await loadMnistFromPackage() : undefined;
    engine = await createNodeEngine({ adapter: options.adapter, tuningStore: fileTuningStore() });
    // Where the data is chosen: MNIST, or an image folder split into training and validation images.
    const data = mnist
      ? mnistData(engine, mnist, { trainLimit: options.limit, normalize: options.normalize })
      : await folderTrainingData(engine, {
        dir: options.data!, valSplit: options.valSplit, seed: options.seed, imageSize: options.imageSize, channels: options.channels, normalize: options.normalize, testDir: options.testData,
      });
    try {
      const summary = await train(engine, data, options);
      if (options.json) console.log(JSON.stringify(summary));
    } finally {
      disposeData(data);
    }
    return 0;
  } finally {
    engine?.dispose();
  }
}

runCommand('train', () => main(process.argv.slice(2)));
