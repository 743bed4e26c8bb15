// The grid of mistakes: each wrongly classified image as a PNG, with its true class, the predicted one and
// the probability the model gave its prediction.
import { escapeHtml, percent } from './html';
import type { PngPixels } from '../images/png_encode';
import { pngDataUri } from './png';

export interface Mistake {
  /** The sample's index in the evaluated set. */
  index: number;
  label: number;
  predicted: number;
  /** The softmax probability of `predicted`. */
  probability: number;
  /** The sample as the dataset holds it: [channels, height, width] bytes. */
  image: Uint8Array;
}

/** A [channels, height, width] image of bytes (planar, as datasets and tensors hold it) as interleaved pixels for PNG. */
export function planarToRaw(image: Uint8Array, shape: readonly number[]): PngPixels {
  const [channels, height, width] = shape;
  if (shape.length !== 3 || (channels !== 1 && channels !== 3)) throw new RangeError(`planarToRaw: shape [${shape.join(', ')}]; give [1 or 3, height, width]`);
  const plane = height * width;
  if (image.length !== channels * plane) throw new RangeError(`planarToRaw: ${image.length} bytes for shape [${shape.join(', ')}]`);
  const pixels = new Uint8Array(image.length);
  for (let c = 0; c < channels; c++) for (let p = 0; p < plane; p++) pixels[p * channels + c] = image[c * plane + p];
  return { width, height, channels, data: pixels };
}

export function renderMistakes(mistakes: readonly Mistake[], imageShape: readonly number[], classNames: readonly string[]): string {
  const tiles = mistakes.map((m) => {
    const [label, predicted] = [escapeHtml(classNames[m.label]), escapeHtml(classNames[m.predicted])];
    const description = `sample ${m.index}: true ${label}, predicted ${predicted} with probability ${percent(m.probability)}`;
    return (
      `<figure class="mistake"><img src="${pngDataUri(planarToRaw(m.image, imageShape))}" alt="${description}" title="${description}">` +
      `<figcaption><span class="true">${label}</span> → <b>${predicted}</b><br>${percent(m.probability)}</figcaption></figure>`
    );
  });
  return `<div class="mistakes">${tiles.join('')}</div>`;
}
