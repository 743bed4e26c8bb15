// The training worker: opens WebGPU, loads MNIST and runs the session, so the page never waits on the GPU.
import { DeviceLostError, DisposedError, NoAdapterError, createEngine, localStorageStore } from '../src/index';
import { fetchMnist } from './mnist_files';
import { PREVIEW_IMAGES, type FromWorker, type ToWorker } from './protocol';
import { Session } from './session';

const post = (message: FromWorker, transfer: Transferable[] = []) => postMessage(message, { transfer });

function report(error: unknown, fatal = false): void {
  const e = error instanceof Error ? error : new Error(String(error));
  if (e instanceof DisposedError) return; // a request that raced a reset; the new model answers the next one
  // Only the name and message cross over: a person should never see a stack trace.
  post({ type: 'error', name: e.name, message: e.message, fatal: fatal || e instanceof NoAdapterError || e instanceof DeviceLostError });
}

async function boot(): Promise<Session> {
  // WebGPU first: a browser without it learns so at once, not after a 55 MB download.
  post({ type: 'loading', text: 'Opening WebGPU…', fraction: 0 });
  // The demo remembers its kernel choices across reloads; a library user opts in the same way.
  const engine = await createEngine({ tuningStore: localStorageStore() });
  const mnist = await fetchMnist((fraction) => post({ type: 'loading', text: 'Loading MNIST (55 MB)…', fraction }));
  post({ type: 'loading', text: 'Uploading the test set to the GPU…', fraction: 1 });
  const session = new Session(engine, mnist, post);
  const side = 28 * 28;
  post(
    {
      type: 'ready',
      adapter: engine.adapter,
      trainCount: mnist.train.count,
      testLabels: mnist.test.labels.slice(),
      testImages: mnist.test.images.slice(0, PREVIEW_IMAGES * side),
      trainDigit: { pixels: mnist.train.images.slice(0, side), label: mnist.train.labels[0] },
    },
  );
  session.announce();
  return session;
}

const session = boot();
// Without a session (no WebGPU, no data) the page has nothing to offer but the reason.
session.catch((e: unknown) => report(e, true));

// Pause must act at once, even while a long command (a whole training run) is still in the queue.
let queue: Promise<unknown> = Promise.resolve();
const enqueue = (task: (s: Session) => Promise<void>) => (queue = queue.then(() => session.then(task)).catch((e: unknown) => report(e)));

onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'train':
      enqueue((s) => s.train(message.settings));
      break;
    case 'pause':
      void session.then((s) => s.pause());
      break;
    case 'reset':
      void session.then((s) => s.stop());
      enqueue((s) => s.reset());
      break;
    case 'predict':
      session.then((s) => s.predict(message.id, message.pixels)).catch((e: unknown) => report(e));
      break;
    case 'save':
      session.then((s) => s.save()).catch((e: unknown) => report(e));
      break;
    case 'load':
      enqueue((s) => s.load(message.bytes, message.name, message.network));
      break;
  }
};
