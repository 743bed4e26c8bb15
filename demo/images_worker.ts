// The "Your images" training worker: opens WebGPU, and for each run splits the pictures (stratified,
// seeded), uploads both sets once, trains a new model of the chosen network sized to the data, with the
// chosen augmentation on the GPU, and evaluates it; then answers predictions, one picture at a time, and
// saves the model as a file that describes it.
import {
  Adam, Dataset, DeviceLostError, NoAdapterError, createEngine, localStorageStore, saveWeights, stratifiedSplit, subset, type Engine, type Sequential,
} from '../src/index';
import type { FromImagesWorker, ImageTrainSettings, PictureData, ToImagesWorker } from './images_protocol';
import { NETWORKS } from './networks';
import { softmax } from './softmax';

const post = (message: FromImagesWorker, transfer: Transferable[] = []) => postMessage(message, { transfer });
/** At most this many progress messages a second. */
const PROGRESS_HZ = 10;

function report(error: unknown, fatal = false): void {
  const e = error instanceof Error ? error : new Error(String(error));
  post({ type: 'error', name: e.name, message: e.message, fatal: fatal || e instanceof NoAdapterError || e instanceof DeviceLostError });
}

let model: Sequential | undefined;
let controller: AbortController | undefined;

async function train(engine: Engine, data: PictureData, settings: ImageTrainSettings): Promise<void> {
  await model?.dispose();
  model = undefined;
  const whole = { ...data, files: Array.from(data.labels, (_, i) => String(i)) };
  const split = stratifiedSplit(data.labels, { validation: settings.validation, seed: settings.seed });
  // No class has two pictures: nothing can be held out, so the accuracy shown is on the training pictures.
  const onTraining = split.validation.length === 0;
  const evaluated = onTraining ? split.train : split.validation;
  post({ type: 'split', train: split.train.length, validation: split.validation.length });
  const upload = (indices: Uint32Array, name: string) => {
    const part = subset(whole, indices);
    return Dataset.upload(engine, { samples: part.samples, labels: part.labels, sampleShape: part.sampleShape, name });
  };
  const signal = (controller = new AbortController()).signal;
  let trainSet: Dataset | undefined;
  let evalSet: Dataset | undefined;
  try {
    // Inside the try: a set too large for the adapter is reported, and the page is ready again.
    trainSet = upload(split.train, 'train');
    evalSet = upload(evaluated, onTraining ? 'train (evaluation)' : 'validation');
    const validationSet = evalSet;
    post({ type: 'state', state: 'training', trained: false });
    const built = NETWORKS[settings.network].build(engine, settings.seed, { inputShape: data.sampleShape, classes: data.classes.length });
    // What the saved file says of its model, so npm run eval and classify() can rebuild and use it.
    built.info = { network: settings.network, classes: data.classes };
    model = built;
    built.compile({ optimizer: new Adam({ lr: settings.learningRate }) });
    const batchSize = Math.min(settings.batchSize, trainSet.count);
    const stepsPerEpoch = Math.floor(trainSet.count / batchSize);
    const total = stepsPerEpoch * settings.epochs;
    let lastProgress = 0;
    await built.fit(trainSet, {
      epochs: settings.epochs, batchSize, seed: settings.seed, augment: settings.augment, signal,
      // About 50 points on the charts whatever the run's length, each with the held-out accuracy.
      logEvery: Math.max(1, Math.round(total / 50)),
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastProgress < 1000 / PROGRESS_HZ && p.step < total) return;
        lastProgress = now;
        post({
          type: 'progress', step: p.step, totalSteps: total, epoch: Math.min(Math.floor(p.step / stepsPerEpoch) + 1, settings.epochs), epochs: settings.epochs,
          samplesPerSecond: p.samplesPerSecond, etaSeconds: (p.elapsedSeconds / p.step) * (total - p.step),
        });
      },
      onLog: async (log) => {
        const evaluation = signal.aborted ? undefined : await built.evaluate(validationSet);
        post({ type: 'log', step: log.step, loss: log.loss, accuracy: evaluation?.accuracy });
      },
    });
    post({ type: 'state', state: 'evaluating', trained: false });
    const evaluation = await built.evaluate(evalSet, { predictions: true });
    const predictions = evaluation.predictions!;
    const indices = evaluated.slice();
    post(
      { type: 'final', accuracy: evaluation.accuracy, correct: evaluation.correct, count: evaluation.count, indices, predictions, onTraining },
      [predictions.buffer, indices.buffer],
    );
  } finally {
    controller = undefined;
    trainSet?.dispose();
    evalSet?.dispose();
    post({ type: 'state', state: 'ready', trained: model !== undefined });
  }
}

/** Class probabilities of one sample: the softmax of the model's logits. */
async function predict(id: number, sample: Uint8Array): Promise<void> {
  if (!model) return report(new Error('Train a model first: there is nothing to predict with yet.'));
  const { data } = await model.predict(sample);
  post({ type: 'prediction', id, probabilities: softmax(data) });
}

async function save(): Promise<void> {
  if (!model) return report(new Error('Train a model first: there is nothing to save yet.'));
  const bytes = (await saveWeights(model)).slice().buffer;
  post({ type: 'saved', bytes }, [bytes]);
}

async function boot(): Promise<Engine> {
  post({ type: 'loading', text: 'Opening WebGPU…', fraction: 0 });
  const engine = await createEngine({ tuningStore: localStorageStore() });
  post({ type: 'ready', adapter: engine.adapter });
  post({ type: 'state', state: 'ready', trained: false });
  return engine;
}

const engine = boot();
engine.catch((e: unknown) => report(e, true));
// Runs and predictions one after another: a prediction never meets a model being replaced.
let queue: Promise<unknown> = Promise.resolve();
const enqueue = (task: (e: Engine) => Promise<void>) => (queue = queue.then(() => engine.then(task)).catch((e: unknown) => report(e)));

onmessage = (event: MessageEvent<ToImagesWorker>) => {
  const message = event.data;
  if (message.type === 'train') enqueue((e) => train(e, message.data, message.settings));
  else if (message.type === 'stop') {
    if (!controller) return;
    controller.abort('stop');
    post({ type: 'state', state: 'stopping', trained: false });
  } else if (message.type === 'save') enqueue(save);
  else enqueue(() => predict(message.id, message.sample));
};
