// One labelled dataset from the files of an image folder (torchvision's ImageFolder layout), decoded by the
// host's decoder: the checks and defaults that the Node walker and the browser's dropped folders share.
import { ImageFolderError } from './errors';
import { inspectImage, MAX_IMAGE_SIDE } from './inspect';
import type { RgbaImage } from './rgba_image';
import { imageToSample, isGrayscale } from './to_sample';

export interface ImageFolderData {
  /** Class names in label order: the sub-folder names sorted by code point (as torchvision sorts them). */
  classes: string[];
  /** Every sample's bytes, back to back, [count, ...sampleShape], as `Dataset.upload` takes them. */
  samples: Uint8Array;
  /** One class index per sample. */
  labels: Uint32Array;
  /** [channels, height, width]. */
  sampleShape: [number, number, number];
  /** Each sample's file, relative to the folder, with "/" between parts ("cat/001.png"). */
  files: string[];
}

export interface ImageFolderOptions {
  /** The samples' size: a number for square, or [height, width]. Default: the images' own size when they
   *  all share one; otherwise it must be given. */
  imageSize?: number | [number, number];
  /** 1 (luma) or 3 (RGB). Default: 1 when every image is grayscale (R = G = B everywhere), else 3. */
  channels?: 1 | 3;
  /** Called after each image is decoded. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** A file of the folder: its class, its path relative to the folder, and how to read its bytes. */
export interface FolderFile {
  label: number;
  path: string;
  /** How errors name it: the full path in Node. */
  source: string;
  read: () => Promise<Uint8Array>;
}

export type ImageDecoder = (bytes: Uint8Array, source: string) => Promise<RgbaImage>;

/** Checks the classes and files, decides size and channels, decodes and converts every image. */
export async function assembleImageFolder(
  folder: string, classes: string[], files: FolderFile[], decode: ImageDecoder, options: ImageFolderOptions,
): Promise<ImageFolderData> {
  const size = checkOptions(folder, options);
  if (classes.length === 0) {
    throw new ImageFolderError(folder, 'no-classes', 'no class folders found', 'An image folder holds one sub-folder per class, each with PNG or JPEG files (torchvision\'s ImageFolder layout)');
  }
  if (classes.length === 1) {
    throw new ImageFolderError(folder, 'one-class', `only one class, "${classes[0]}"`, 'A classifier needs at least two class folders');
  }
  const counts = new Array<number>(classes.length).fill(0);
  for (const f of files) counts[f.label]++;
  const empty = classes.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) {
    throw new ImageFolderError(folder, 'empty-class', `class folder(s) ${empty.map((c) => `"${c}"`).join(', ')} hold no PNG or JPEG file`, 'Put at least one image in every class folder, or remove the empty ones');
  }
  const [height, width] = size ?? (await commonSize(folder, files));
  const channels = options.channels ?? 3;
  const sampleSize = channels * height * width;
  const samples = new Uint8Array(files.length * sampleSize);
  let allGray = true;
  for (let i = 0; i < files.length; i++) {
    const image = await decode(await files[i].read(), files[i].source);
    if (options.channels === undefined && allGray) allGray = isGrayscale(image);
    samples.set(imageToSample(image, { height, width, channels }, files[i].source), i * sampleSize);
    options.onProgress?.({ done: i + 1, total: files.length });
  }
  const gray = options.channels === undefined && allGray;
  return {
    classes: [...classes],
    // A grayscale image's three planes are equal and equal its luma, so the first plane is the 1-channel sample.
    samples: gray ? firstPlanes(samples, files.length, height * width) : samples,
    labels: Uint32Array.from(files, (f) => f.label),
    sampleShape: [gray ? 1 : channels, height, width],
    files: files.map((f) => f.path),
  };
}

function checkOptions(folder: string, options: ImageFolderOptions): [number, number] | undefined {
  const { imageSize, channels } = options;
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new ImageFolderError(folder, 'bad-option', `channels is ${channels}`, 'channels is 1 (grayscale) or 3 (RGB), or left out to choose from the images');
  }
  if (imageSize === undefined) return undefined;
  const size = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
  if (!Array.isArray(size) || size.length !== 2 || size.some((s) => !Number.isInteger(s) || s < 1 || s > MAX_IMAGE_SIDE)) {
    throw new ImageFolderError(folder, 'bad-option', `imageSize is ${JSON.stringify(imageSize)}`, `imageSize is a side or [height, width], integers from 1 to ${MAX_IMAGE_SIDE}`);
  }
  return [size[0], size[1]];
}

/** The images' shared [height, width], from their headers; mixed sizes are refused with the sizes found. */
async function commonSize(folder: string, files: FolderFile[]): Promise<[number, number]> {
  const sizes = new Map<string, { count: number; example: string; size: [number, number] }>();
  for (const f of files) {
    const { width, height } = inspectImage(await f.read(), f.source);
    const key = `${height}×${width}`;
    const entry = sizes.get(key);
    if (entry) entry.count++;
    else sizes.set(key, { count: 1, example: f.source, size: [height, width] });
  }
  if (sizes.size === 1) return [...sizes.values()][0].size;
  const found = [...sizes].sort((a, b) => b[1].count - a[1].count);
  const listed = found.slice(0, 5).map(([key, s]) => `${key} (${s.count} file${s.count > 1 ? 's' : ''}, e.g. ${s.example})`).join(', ');
  throw new ImageFolderError(
    folder, 'mixed-sizes', `the images have ${sizes.size} sizes (height×width): ${listed}${found.length > 5 ? ', …' : ''}`,
    'Give imageSize (a side, or [height, width]) to resize every image to it',
  );
}

function firstPlanes(samples: Uint8Array, count: number, plane: number): Uint8Array {
  const out = new Uint8Array(count * plane);
  for (let i = 0; i < count; i++) out.set(samples.subarray(3 * i * plane, (3 * i + 1) * plane), i * plane);
  return out;
}
