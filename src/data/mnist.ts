// MNIST from its four IDX files, read through a caller's reader: fetch in the browser, fs in Node.
import { IdxError, parseIdx } from './idx';

export interface MnistSplit {
  /** [count, 28, 28] pixels, 0 (background) to 255, row by row. */
  images: Uint8Array;
  /** [count] digits 0 to 9. */
  labels: Uint8Array;
  count: number;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const MNIST_SIDE = 28;

/** Reads and checks the four MNIST files; `readFile` gets the bare file names above. */
export async function loadMnist(readFile: (name: string) => Promise<Uint8Array>): Promise<Mnist> {
  const names = [MNIST_FILES.trainImages, MNIST_FILES.trainLabels, MNIST_FILES.testImages, MNIST_FILES.testLabels];
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(names.map(readFile));
  return {
    train: split(MNIST_FILES.trainImages, trainImages, MNIST_FILES.trainLabels, trainLabels),
    test: split(MNIST_FILES.testImages, testImages, MNIST_FILES.testLabels, testLabels),
  };
}

function split(imagesName: string, imagesBytes: Uint8Array, labelsName: string, labelsBytes: Uint8Array): MnistSplit {
  const images = parseIdx(imagesBytes, imagesName);
  const labels = parseIdx(labelsBytes, labelsName);
  const [n, h, w] = images.dims;
  if (images.dtype !== 'ubyte' || images.dims.length !== 3 || h !== MNIST_SIDE || w !== MNIST_SIDE) {
    throw new IdxError(imagesName, `holds ${images.dtype} [${images.dims.join(', ')}]`, `ubyte images [n, ${MNIST_SIDE}, ${MNIST_SIDE}]`);
  }
  if (labels.dtype !== 'ubyte' || labels.dims.length !== 1) {
    throw new IdxError(labelsName, `holds ${labels.dtype} [${labels.dims.join(', ')}]`, 'ubyte labels [n]');
  }
  if (labels.dims[0] !== n) {
    throw new IdxError(`${imagesName} and ${labelsName}`, `${n} images but ${labels.dims[0]} labels`, 'one label per image');
  }
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count: n };
}
