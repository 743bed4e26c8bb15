// "What the model sees and thinks": one training digit, the tutorial's ten predictions next to the real
// labels, and a grid of test digits with their predicted labels, mistakes marked.
import { digitCanvas, paintDigit } from './digits';

const GRID = 40;

export class Gallery {
  private images: Uint8Array = new Uint8Array(0);
  private labels: Uint8Array = new Uint8Array(0);
  private predictions: Uint32Array | undefined;
  private readonly mistakesOnly: HTMLInputElement;

  constructor(private readonly root: HTMLElement) {
    this.mistakesOnly = root.querySelector<HTMLInputElement>('#mistakes')!;
    this.mistakesOnly.addEventListener('change', () => this.render());
  }

  /** `images`: the first test images the page has (28×28 bytes each); `labels`: every test label. */
  setData(images: Uint8Array, labels: Uint8Array, trainDigit: { pixels: Uint8Array; label: number }): void {
    this.images = images;
    this.labels = labels;
    paintDigit(this.root.querySelector<HTMLCanvasElement>('#train-digit')!, trainDigit.pixels);
    this.root.querySelector('#train-digit-label')!.textContent = `One training digit: label ${trainDigit.label}`;
    this.render();
  }

  /** Predicted classes of the first test images (as many as were evaluated); undefined clears them. */
  setPredictions(predictions: Uint32Array | undefined): void {
    this.predictions = predictions;
    this.render();
  }

  private available(): number {
    return this.images.length / 784;
  }

  private render(): void {
    const ten = this.root.querySelector('#ten')!;
    ten.replaceChildren(...Array.from({ length: Math.min(10, this.available()) }, (_, i) => this.tenItem(i)));
    let shown = Array.from({ length: this.available() }, (_, i) => i);
    const known = Math.min(this.predictions?.length ?? 0, shown.length);
    if (this.mistakesOnly.checked) shown = shown.filter((i) => i < known && this.predictions![i] !== this.labels[i]);
    const grid = this.root.querySelector('#grid')!;
    grid.replaceChildren(...shown.slice(0, GRID).map((i) => this.tile(i)));
    if (shown.length === 0) grid.textContent = this.predictions ? `No mistakes in the first ${known} test digits.` : 'No predictions yet.';
  }

  private predicted(i: number): number | undefined {
    return this.predictions && i < this.predictions.length ? this.predictions[i] : undefined;
  }

  private tenItem(i: number): HTMLElement {
    const item = document.createElement('li');
    const guess = this.predicted(i);
    const label = this.labels[i];
    item.className = guess !== undefined && guess !== label ? 'wrong' : '';
    item.append(digitCanvas(this.images, i, `test digit ${i + 1}`));
    const text = document.createElement('b');
    text.textContent = guess === undefined ? '?' : String(guess);
    item.append(text, `real ${label}`);
    item.title = `Prediction ${guess ?? 'not yet made'}, real label ${label}`;
    return item;
  }

  private tile(i: number): HTMLElement {
    const tile = document.createElement('figure');
    const guess = this.predicted(i);
    const label = this.labels[i];
    const wrong = guess !== undefined && guess !== label;
    tile.className = wrong ? 'tile wrong' : 'tile';
    tile.dataset.label = String(label);
    if (guess !== undefined) tile.dataset.predicted = String(guess);
    const caption = document.createElement('figcaption');
    caption.className = 'label';
    const g = document.createElement('b');
    g.textContent = guess === undefined ? '?' : String(guess);
    const real = document.createElement('span');
    real.textContent = wrong ? `real ${label}` : guess === undefined ? `real ${label}` : '✓';
    caption.append(g, real);
    tile.append(digitCanvas(this.images, i, `test digit ${i + 1}, real label ${label}${guess === undefined ? '' : `, predicted ${guess}`}`), caption);
    return tile;
  }
}
