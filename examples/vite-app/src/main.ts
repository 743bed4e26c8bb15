// Runs the training on the page, then in a Web Worker, and shows both results.
import { attempt, type Reply } from './train';

const log = document.querySelector<HTMLPreElement>('#log')!;
const STEPS = 3;

function inWorker(steps: number): Promise<Reply> {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const reply = new Promise<Reply>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<Reply>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
  });
  worker.postMessage({ steps });
  return reply.finally(() => worker.terminate());
}

const page = await attempt(STEPS);
log.textContent = `page: ${JSON.stringify(page)}\n`;
const worker = page.ok ? await inWorker(STEPS) : page;
log.textContent += `worker: ${JSON.stringify(worker)}\n`;
document.body.dataset.results = JSON.stringify({ page, worker });
