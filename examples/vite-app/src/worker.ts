// The same training in a Web Worker, so the page stays responsive while the GPU works.
import { attempt } from './train';

self.onmessage = async (event: MessageEvent<{ steps: number }>) => {
  self.postMessage(await attempt(event.data.steps));
};
