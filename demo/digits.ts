// Small helpers shared by every panel that shows a digit: its colour and its 28×28 picture.
import { SIDE } from './preprocess';

/** One colour per digit (Tableau 10): distinct, and readable on white. */
export const DIGIT_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#7f7f7f'];

/** Paints image `index` of `images` (28×28 bytes each, 0 = background) as dark ink on white. */
export function paintDigit(canvas: HTMLCanvasElement, images: Uint8Array, index = 0): void {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const context = canvas.getContext('2d')!;
  const picture = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const shade = 255 - images[index * SIDE * SIDE + i] * 0.9;
    picture.data.set([shade, shade, shade + 6, 255], i * 4);
  }
  context.putImageData(picture, 0, 0);
}

export function digitCanvas(images: Uint8Array, index: number, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'digit';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  paintDigit(canvas, images, index);
  return canvas;
}

/** "12,345", in the reader's locale. */
export const count = (n: number) => n.toLocaleString();
export const percent = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;
