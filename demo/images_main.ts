// The "Your images" page: classes of the user's pictures, a training run in the worker (images_worker.ts),
// its curves and results, and predictions on a new picture or the camera. The page decodes and resizes
// the pictures; the worker gets their bytes once per run and does all GPU work.
import { showAdapter, showFatal } from './adapter_panel';
import { Camera } from './camera';
import { LearningCurves } from './charts';
import { ClassList } from './class_list';
import { renderConfusion } from './confusion';
import { count, percent } from './digits';
import { downloadBytes } from './download';
import { renderMistakes, renderTop } from './image_results';
import { ImageSettingsForm } from './image_settings';
import type { FromImagesWorker, ImagesRunState, ToImagesWorker } from './images_protocol';
import { decodePicture, pictureCanvas, toSamples, type Picture } from './pictures';
import { ProgressView } from './progress';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const worker = new Worker(new URL('./images_worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToImagesWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

const settings = new ImageSettingsForm($<HTMLFormElement>('settings'));
const curves = new LearningCurves($('loss-chart'), $('accuracy-chart'));
const progress = new ProgressView($('bar'), $('progress-text'));
const camera = new Camera($<HTMLVideoElement>('video'));
const classes = new ClassList($('class-list'), () => camera.capture());
const buttons = { start: $<HTMLButtonElement>('start'), stop: $<HTMLButtonElement>('stop'), save: $<HTMLButtonElement>('save'), camera: $<HTMLButtonElement>('camera'), live: $<HTMLButtonElement>('live') };
const predictFile = $<HTMLInputElement>('predict-file');

let state: ImagesRunState | 'loading' | 'fatal' = 'loading';
/** What the current model was trained on: its classes, the pictures' format, and the pictures sent. */
let model: { classes: string[]; size: number; channels: 1 | 3; network: string } | undefined;
/** The format of the run in progress, which becomes `model` when it ends. */
let pending: typeof model;
let sent: { pictures: Picture[]; labels: Uint32Array } | undefined;
/** The latest prediction asked for; older answers are dropped. */
let predictionId = 0;
let live = false;

function showMessage(text: string): void {
  const message = $('message');
  message.textContent = text;
  message.hidden = text === '';
}

function update(): void {
  const idle = state === 'ready';
  buttons.start.disabled = !idle;
  buttons.stop.disabled = state !== 'training';
  buttons.save.disabled = !idle || !model;
  settings.disabled = !idle;
  classes.disabled = !idle;
  predictFile.disabled = !idle || !model;
  buttons.live.hidden = !camera.on;
  buttons.live.disabled = !idle || !model;
  buttons.live.textContent = live ? 'Stop predicting' : 'Predict from the camera';
  $('predict-hint').textContent = model ? `Pictures are resized to ${model.size} × ${model.size}, ${model.channels === 1 ? 'gray' : 'colour'}, as in training.` : 'Train a model first.';
  document.body.dataset.state = state;
}

function clearResults(): void {
  curves.clear();
  for (const id of ['confusion', 'per-class', 'top']) $(id).replaceChildren();
  $('mistakes').textContent = 'No predictions yet.';
  const accuracy = $('accuracy');
  accuracy.textContent = '—';
  accuracy.dataset.value = '';
  accuracy.classList.add('pending');
}

/** The classes and pictures to train on, or a message saying what is missing. */
function dataProblem(): string {
  if (classes.classes.length < 2) return 'Add at least two classes: a classifier chooses between classes.';
  const empty = classes.classes.filter((c) => c.pictures.length === 0);
  if (empty.length > 0) return `${empty.map((c) => `"${c.name}"`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} no pictures: add some, or remove ${empty.length === 1 ? 'it' : 'them'}.`;
  return '';
}

function startTraining(): void {
  const problem = dataProblem();
  showMessage(problem);
  if (problem) return;
  const wanted = settings.read();
  if (!wanted) return;
  stopLive();
  const pictures = classes.classes.flatMap((c) => c.pictures);
  const labels = Uint32Array.from(classes.classes.flatMap((c, label) => c.pictures.map(() => label)));
  const { samples, channels } = toSamples(pictures, wanted.size, wanted.channels);
  const names = classes.classes.map((c) => c.name);
  sent = { pictures, labels };
  model = undefined;
  clearResults();
  $('accuracy-note').textContent = 'Shown here when training ends, on the pictures held out from training.';
  progress.clear(`Sending ${count(pictures.length)} pictures (${channels} × ${wanted.size} × ${wanted.size}) to the GPU…`);
  state = 'training';
  update();
  send({ type: 'train', data: { samples, labels: labels.slice(), sampleShape: [channels, wanted.size, wanted.size], classes: names }, settings: wanted.train }, [samples.buffer]);
  pending = { classes: names, size: wanted.size, channels, network: wanted.train.network };
}

function showFinal(message: Extract<FromImagesWorker, { type: 'final' }>): void {
  if (!sent || !pending) return;
  const names = pending.classes;
  const element = $('accuracy');
  element.textContent = percent(message.accuracy, 1);
  element.dataset.value = String(message.accuracy);
  element.classList.remove('pending');
  const which = message.onTraining ? 'training pictures (no class had two pictures to hold one out)' : 'validation pictures';
  $('accuracy-note').textContent = `on ${count(message.count)} ${which}, ${count(message.correct)} right`;
  const labels = Array.from(message.indices, (i) => sent!.labels[i]);
  renderConfusion($('confusion'), $('per-class'), $('matrix-note'), labels, message.predictions, { classes: names, noun: 'class', images: which });
  const pictures = Array.from(message.indices, (i) => sent!.pictures[i]);
  const wrong = renderMistakes($('mistakes'), names, pictures, labels, message.predictions);
  $('mistakes').dataset.count = String(wrong);
}

function handle(message: FromImagesWorker): void {
  switch (message.type) {
    case 'loading':
      return progress.loading(message.text, message.fraction);
    case 'ready':
      showAdapter($('adapter'), message.adapter);
      return progress.clear('Ready: add classes and pictures, then train.');
    case 'state': {
      const before = state;
      state = message.state;
      if (message.state === 'evaluating') progress.say('Measuring the accuracy on the held-out pictures…');
      if (message.state === 'stopping') progress.say('Stopping after this step…');
      if (message.state === 'ready' && before !== 'loading' && before !== 'ready') {
        model = message.trained ? pending : undefined;
        if (model) progress.say(`Done at ${progress.where()}.`, 1);
      }
      return update();
    }
    case 'split':
      $('accuracy-caption').textContent = message.validation > 0 ? `Validation accuracy (${count(message.validation)} pictures)` : 'Training accuracy (nothing held out)';
      return progress.say(`Training on ${count(message.train)} pictures, ${count(message.validation)} held out…`);
    case 'progress':
      return progress.training(message);
    case 'log':
      return curves.add(message.step, message.loss, message.accuracy);
    case 'final':
      return showFinal(message);
    case 'prediction':
      if (message.id !== predictionId || !model) return;
      renderTop($('top'), model.classes, message.probabilities);
      $('top').dataset.predictions = String(Number($('top').dataset.predictions ?? 0) + 1);
      if (live) requestAnimationFrame(() => void predictFrame());
      return;
    case 'saved':
      return downloadBytes(message.bytes, `your-images-${model?.network ?? 'model'}-${model?.size ?? 0}px.safetensors`);
    case 'error':
      if (message.fatal) {
        state = 'fatal';
        update();
        progress.say('Training is not possible here: see the message above.');
        return showFatal($('notice'), $('app'), $('adapter'), message.name, message.message);
      }
      showMessage(`${message.name === 'Error' ? '' : `${message.name}: `}${message.message}`);
      stopLive();
  }
}

/** Shows `picture` as the model will see it and asks for its classes. */
function predict(picture: Picture): void {
  if (!model) return;
  const { samples } = toSamples([picture], model.size, model.channels);
  $('predict-seen').replaceChildren(pictureCanvas(picture.image, `The picture to classify: ${picture.name}`));
  send({ type: 'predict', id: ++predictionId, sample: samples }, [samples.buffer]);
}

async function predictFrame(): Promise<void> {
  if (!live || !camera.on || state !== 'ready') return stopLive();
  try {
    predict(await camera.capture());
  } catch (error) {
    showMessage(error instanceof Error ? error.message : String(error));
    stopLive();
  }
}

function stopLive(): void {
  live = false;
  update();
}

worker.onmessage = (event: MessageEvent<FromImagesWorker>) => handle(event.data);
worker.onerror = (event) => {
  event.preventDefault();
  state = 'fatal';
  update();
  showFatal($('notice'), $('app'), $('adapter'), 'WorkerError', event.message || 'the training worker could not start');
};

classes.onMessage = showMessage;
classes.onChange = () => {
  const total = classes.classes.reduce((n, c) => n + c.pictures.length, 0);
  document.body.dataset.pictures = String(total);
};
$<HTMLFormElement>('new-class').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('class-name');
  if (classes.add(input.value.trim() === '' ? classes.freeName() : input.value)) {
    input.value = '';
    showMessage('');
  }
});
const folder = $<HTMLInputElement>('folder');
folder.addEventListener('change', () => {
  const files = [...(folder.files ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  folder.value = '';
  void classes.addFolder(files);
});
// Anything dropped anywhere on the page is ours: a drop the page did not take would make the browser
// leave the page to open the file.
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  $('drop').classList.toggle('over', state === 'ready');
});
document.addEventListener('dragleave', () => $('drop').classList.remove('over'));
document.addEventListener('drop', (event) => {
  event.preventDefault();
  $('drop').classList.remove('over');
  if (!event.dataTransfer) return;
  if (state !== 'ready') return showMessage('Pictures can be added when the page is ready and not training.');
  void classes.addFolderDrop(event.dataTransfer.items);
});

if (Camera.available) $('camera-tools').hidden = false;
buttons.camera.addEventListener('click', async () => {
  try {
    if (camera.on) camera.stop();
    else await camera.start();
  } catch (error) {
    showMessage(`The camera could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  live = live && camera.on;
  buttons.camera.textContent = camera.on ? 'Stop camera' : 'Start camera';
  $('video').hidden = !camera.on;
  classes.camera = camera.on;
  update();
});
buttons.live.addEventListener('click', () => {
  live = !live;
  update();
  if (live) void predictFrame();
});
buttons.start.addEventListener('click', startTraining);
buttons.stop.addEventListener('click', () => send({ type: 'stop' }));
buttons.save.addEventListener('click', () => send({ type: 'save' }));
predictFile.addEventListener('change', async () => {
  const file = predictFile.files?.[0];
  predictFile.value = '';
  if (!file) return;
  stopLive();
  try {
    predict(await decodePicture(file, file.name));
    showMessage('');
  } catch (error) {
    showMessage(error instanceof Error ? error.message : String(error));
  }
});
classes.render();
update();
