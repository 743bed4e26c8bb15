// MNIST as PNG files in torchvision's ImageFolder layout (the make-mnist-folder command's work), so a run on
// an image folder can be compared with the IDX path on the same pictures.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mnist, MnistSplit } from '../src/data/mnist';
import { encodePng } from '../src/images/png_encode';

const SIDE = 28;

export interface MnistFolderOptions {
  out: string;
  /** The first this many training images (default all 60,000). */
  trainLimit?: number;
  /** The first this many test images (default all 10,000). */
  testLimit?: number;
}

/**
 * Writes out/train/<digit>/<index>.png and out/test/<digit>/<index>.png, grayscale 28×28; <index> is the
 * image's place in its IDX file, zero-padded so that the files of a digit sort in IDX order.
 */
export async function writeMnistFolder(mnist: Mnist, options: MnistFolderOptions): Promise<{ train: number; test: number }> {
  const train = await writeSplit(mnist.train, options.trainLimit ?? mnist.train.labels.length, join(options.out, 'train'));
  const test = await writeSplit(mnist.test, options.testLimit ?? mnist.test.labels.length, join(options.out, 'test'));
  return { train, test };
}

async function writeSplit(split: MnistSplit, count: number, dir: string): Promise<number> {
  for (let digit = 0; digit < 10; digit++) await mkdir(join(dir, String(digit)), { recursive: true });
  for (let i = 0; i < count; i++) {
    const data = split.images.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    await writeFile(join(dir, String(split.labels[i]), `${String(i).padStart(5, '0')}.png`), encodePng({ width: SIDE, height: SIDE, channels: 1, data }));
  }
  return count;
}
