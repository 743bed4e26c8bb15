// Runs in Chromium: pictures decoded by the browser (imageFromSource) and made into samples
// (imageToSample), and folders of Files (imageFolderFromFiles). test/images_browser.test.ts drives it
// and compares with Node.
import { ImageError, imageFolderFromFiles, imageFromSource, imageToSample, type SampleFormat } from '../../src/index';

declare global {
  interface Window {
    samplesOfFile(bytes: number[], type: string, formats: SampleFormat[]): Promise<number[][] | { error: string; reason: string }>;
    pixelsOf(kind: 'imagedata' | 'canvas' | 'offscreen' | 'bitmap' | 'image' | 'videoframe', rgba: number[], width: number, height: number): Promise<number[]>;
    folderFromInput(options: object): Promise<unknown>;
    folderFromBlobs(files: Record<string, number[][]>, options: object): Promise<unknown>;
  }
}

window.samplesOfFile = async (bytes, type, formats) => {
  try {
    const image = await imageFromSource(new Blob([Uint8Array.from(bytes)], { type }), 'dropped.file');
    return formats.map((format) => Array.from(imageToSample(image, format)));
  } catch (e) {
    if (e instanceof ImageError) return { error: e.message, reason: e.reason };
    throw e;
  }
};

window.pixelsOf = async (kind, rgba, width, height) => {
  const data = new ImageData(Uint8ClampedArray.from(rgba), width, height);
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width, height });
  canvas.getContext('2d')!.putImageData(data, 0, 0);
  let source: Parameters<typeof imageFromSource>[0] = data;
  if (kind === 'canvas') source = canvas;
  if (kind === 'offscreen') {
    source = new OffscreenCanvas(width, height);
    source.getContext('2d')!.putImageData(data, 0, 0);
  }
  if (kind === 'bitmap') source = await createImageBitmap(data);
  if (kind === 'image') {
    const image = new Image();
    image.src = canvas.toDataURL('image/png');
    source = image;
  }
  if (kind === 'videoframe') source = new VideoFrame(canvas, { timestamp: 0 });
  const pixels = Array.from((await imageFromSource(source)).data);
  if (source instanceof VideoFrame) source.close();
  return pixels;
};

window.folderFromInput = async (options) => {
  const input = document.querySelector<HTMLInputElement>('#folder')!;
  const data = await imageFolderFromFiles([...input.files!], options);
  return { ...data, samples: Array.from(data.samples), labels: Array.from(data.labels) };
};

window.folderFromBlobs = async (files, options) => {
  const blobs = Object.fromEntries(Object.entries(files).map(([name, list]) => [name, list.map((bytes) => new Blob([Uint8Array.from(bytes)]))]));
  const data = await imageFolderFromFiles(blobs, options);
  return { ...data, samples: Array.from(data.samples), labels: Array.from(data.labels) };
};
