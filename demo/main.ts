// The page: controls and views. All GPU work happens in worker.ts, so the page stays responsive while
// training; this file only routes messages between the worker and the views.
import { showAdapter, showFatal } from './adapter_panel';
import { LearningCurves } from './charts';
import { renderConfusion } from './confusion';
import { count, percent } from './digits';
import { downloadBytes } from './download';
import { DrawPad } from './draw_pad';
import { EmbeddingMap } from './embedding_map';
import { Gallery } from './gallery';
import { ProgressView } from './progress';
import type { FromWorker, RunState, ToWorker } from './protocol';
import { SettingsForm } from './settings';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const settings = new SettingsForm($<HTMLFormElement>('settings'));
const curves = new LearningCurves($('loss-chart'), $('accuracy-chart'));
const gallery = new Gallery($('app'));
const map = new EmbeddingMap($<HTMLCanvasElement>('map'), $('map-tip'), $('map-status'), $('legend'));
const progress = new ProgressView($('bar'), $('progress-text'));
const pad = new DrawPad($<HTMLCanvasElement>('pad'), $<HTMLCanvasElement>('seen'), $('guess'), $('probabilities'), $<HTMLButtonElement>('clear'), (id, pixels) =>
  send({ type: 'predict', id, pixels }, [pixels.buffer]),
);
const buttons = { start: $<HTMLButtonElement>('start'), pause: $<HTMLButtonElement>('pause'), reset: $<HTMLButtonElement>('reset'), save: $<HTMLButtonElement>('save') };
const loadInput = $<HTMLInputElement>('load');

let state: RunState | 'loading' | 'fatal' = 'loading';
let modelSteps = 0;
let testLabels: Uint8Array = new Uint8Array(0);
/** Whether the model has learned anything (trained or loaded), for the drawing hint. */
let learned = false;
/** The checkpoint file the model came from, while it has not trained since. */
let loaded: string | undefined;

function setState(next: typeof state): void {
  state = next;
  const idle = state === 'ready';
  buttons.start.disabled = !(idle || state === 'paused');
  buttons.start.textContent = state === 'paused' ? 'Resume' : modelSteps > 0 ? 'Train more' : 'Start training';
  buttons.pause.disabled = state !== 'training';
  buttons.pause.textContent = state === 'pausing' ? 'Pausing…' : 'Pause';
  buttons.reset.disabled = state === 'loading' || state === 'fatal';
  buttons.save.disabled = state === 'loading' || state === 'fatal';
  loadInput.disabled = !idle;
  settings.disabled = !idle;
  document.body.dataset.state = state;
  $('draw-hint').hidden = learned;
}

function showMessage(text: string): void {
  const message = $('message');
  message.textContent = text;
  message.hidden = text === '';
}

function clearResults(note: string): void {
  curves.clear();
  gallery.setPredictions(undefined);
  map.clear();
  $('confusion').replaceChildren();
  $('per-class').replaceChildren();
  $('matrix-note').textContent = 'Rows: real digit; columns: predicted.';
  const accuracy = $('accuracy');
  accuracy.textContent = '—';
  accuracy.dataset.value = '';
  accuracy.classList.add('pending');
  $('accuracy-note').textContent = note;
}

function showFinal(accuracy: number, correct: number, total: number): void {
  const element = $('accuracy');
  element.textContent = percent(accuracy, 2);
  element.dataset.value = String(accuracy);
  element.classList.remove('pending');
  const which = total === testLabels.length ? `all ${count(total)}` : `the first ${count(total)}`;
  $('accuracy-note').textContent = `on ${which} test images (${count(correct)} right)`;
}

function handle(message: FromWorker): void {
  switch (message.type) {
    case 'loading':
      return progress.loading(message.text, message.fraction);
    case 'ready':
      showAdapter($('adapter'), message.adapter);
      testLabels = message.testLabels;
      gallery.setData(message.testImages, message.testLabels, message.trainDigit);
      map.setImages(message.testImages, message.testLabels);
      return progress.clear(`Ready: ${count(message.trainCount)} training images.`);
    case 'state': {
      const before = state;
      modelSteps = message.modelSteps;
      setState(message.state);
      if (message.state === 'paused') progress.say(`Paused at ${progress.where()}.`);
      if (message.state === 'evaluating') progress.say('Measuring the test accuracy…');
      if (message.state === 'ready' && before === 'evaluating') progress.say(loaded ? `Loaded ${loaded}.` : `Done at ${progress.where()}.`, 1);
      if (message.state === 'ready') pad.refresh();
      return;
    }
    case 'progress':
      return progress.training(message);
    case 'log':
      curves.add(message.step, message.loss, message.accuracy);
      if (message.predictions) {
        gallery.setPredictions(message.predictions);
        renderConfusion($('confusion'), $('per-class'), $('matrix-note'), testLabels, message.predictions);
      }
      if (message.accuracy !== undefined && !$('accuracy').dataset.value) {
        $('accuracy-note').textContent = `Latest: ${percent(message.accuracy)} on the first ${count(message.predictions?.length ?? 0)} test images at step ${count(message.step)}.`;
      }
      return;
    case 'final':
      learned = true;
      showFinal(message.accuracy, message.correct, message.count);
      progress.say('Reading the hidden layer for the embedding map…');
      gallery.setPredictions(message.predictions);
      return renderConfusion($('confusion'), $('per-class'), $('matrix-note'), testLabels, message.predictions);
    case 'features':
      $('map-caption').textContent = `UMAP of the output of layer "${message.layer}" (the input of the last layer, ${count(message.dim)} values per image) for ${count(message.count)} test images, coloured by real digit. Hover a point.`;
      return map.compute({ features: message.features, count: message.count, dim: message.dim });
    case 'prediction':
      return pad.show(message.id, message.probabilities);
    case 'checkpoint':
      return downloadBytes(message.bytes, `mnist-cnn-step-${modelSteps}.safetensors`);
    case 'error':
      if (message.fatal) {
        setState('fatal');
        progress.say('Training is not possible here: see the message above.');
        return showFatal($('notice'), $('app'), $('adapter'), message.name, message.message);
      }
      showMessage(`${message.name === 'Error' ? '' : `${message.name}: `}${message.message}`);
      if (state === 'pausing' || state === 'training' || state === 'evaluating') setState('ready');
  }
}

worker.onmessage = (event: MessageEvent<FromWorker>) => handle(event.data);
worker.onerror = (event) => {
  event.preventDefault();
  setState('fatal');
  progress.say('Training is not possible here: see the message above.');
  showFatal($('notice'), $('app'), $('adapter'), 'WorkerError', event.message || 'the training worker could not start');
};

buttons.start.addEventListener('click', () => {
  // A paused run resumes with its own settings (the form is locked meanwhile).
  const wanted = settings.read();
  if (!wanted) return;
  loaded = undefined;
  showMessage('');
  if (state !== 'paused') {
    const evaluated = Math.min(settings.evalImages, testLabels.length);
    $('accuracy-caption').textContent = evaluated > 0 ? `Test accuracy (first ${count(evaluated)} images)` : 'Test accuracy (not measured during training)';
    const element = $('accuracy');
    element.textContent = '—';
    element.dataset.value = '';
    element.classList.add('pending');
    const final = Math.min(wanted.testImages, testLabels.length);
    $('accuracy-note').textContent = `Shown here on ${final === testLabels.length ? 'all' : 'the first'} ${count(final)} test images when training ends.`;
  }
  buttons.start.disabled = true;
  send({ type: 'train', settings: wanted });
});
buttons.pause.addEventListener('click', () => {
  send({ type: 'pause' });
  setState('pausing');
});
buttons.reset.addEventListener('click', () => {
  send({ type: 'reset' });
  learned = false;
  loaded = undefined;
  modelSteps = 0;
  clearResults('Shown here on all 10,000 test images when training ends.');
  progress.clear('A new, untrained model.');
  showMessage('');
});
buttons.save.addEventListener('click', () => send({ type: 'save' }));
loadInput.addEventListener('change', async () => {
  const file = loadInput.files?.[0];
  loadInput.value = '';
  if (!file) return;
  loaded = file.name;
  clearResults(`Loading ${file.name}…`);
  progress.clear(`Loading ${file.name}…`);
  showMessage('');
  const bytes = await file.arrayBuffer();
  send({ type: 'load', bytes, name: file.name, network: settings.network }, [bytes]);
});
setState('loading');
