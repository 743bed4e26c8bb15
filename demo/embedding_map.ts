// The embedding map: each test image as a dot at its UMAP position, coloured by its real digit; hovering
// shows the digit. A UMAP layout has no meaningful axes, so there are none: only the points and a legend.
import { DIGIT_COLOURS, paintDigit } from './digits';
import type { EmbeddingRequest, EmbeddingUpdate } from './embedding_worker';

const RADIUS = 3.5;
const HOVER_DISTANCE = 14;

export class EmbeddingMap {
  private worker: Worker | undefined;
  private points: Float32Array | undefined;
  /** Canvas positions (CSS pixels) of the points as last drawn, for hovering. */
  private placed = new Float32Array(0);
  private images: Uint8Array = new Uint8Array(0);
  private labels: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tip: HTMLElement,
    private readonly status: HTMLElement,
    legend: HTMLElement,
  ) {
    legend.replaceChildren(...DIGIT_COLOURS.map((colour, digit) => {
      const item = document.createElement('li');
      item.innerHTML = `<i style="background:${colour}"></i>${digit}`;
      return item;
    }));
    canvas.addEventListener('pointermove', (e) => this.hover(e.offsetX, e.offsetY));
    canvas.addEventListener('pointerleave', () => (this.tip.hidden = true));
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  setImages(images: Uint8Array, labels: Uint8Array): void {
    this.images = images;
    this.labels = labels;
  }

  compute(request: EmbeddingRequest): void {
    this.worker?.terminate();
    const worker = (this.worker = new Worker(new URL('./embedding_worker.ts', import.meta.url), { type: 'module' }));
    this.say('Computing the map…');
    worker.onmessage = (event: MessageEvent<EmbeddingUpdate>) => {
      const update = event.data;
      if ('error' in update) return this.say(`The map could not be computed: ${update.error}`);
      this.points = update.points;
      this.draw();
      this.say(update.done ? '' : `Computing the map… ${Math.round(update.fraction * 100)}%`);
      this.canvas.dataset.state = update.done ? 'done' : 'running';
      if (update.done) worker.terminate();
    };
    worker.onerror = (event) => this.say(`The map could not be computed: ${event.message || 'the worker failed to start'}`);
    worker.postMessage(request, [request.features.buffer]);
  }

  clear(): void {
    this.worker?.terminate();
    this.points = undefined;
    this.placed = new Float32Array(0);
    delete this.canvas.dataset.state;
    this.draw();
    this.say('Appears when training ends.');
  }

  private say(text: string): void {
    this.status.textContent = text;
    this.status.hidden = text === '';
  }

  private draw(): void {
    const { clientWidth: width, clientHeight: height } = this.canvas;
    const ratio = devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    const context = this.canvas.getContext('2d')!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const points = this.points;
    if (!points) return;
    const n = points.length / 2;
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, points[2 * i]);
      maxX = Math.max(maxX, points[2 * i]);
      minY = Math.min(minY, points[2 * i + 1]);
      maxY = Math.max(maxY, points[2 * i + 1]);
    }
    const pad = 14;
    const scale = Math.min((width - 2 * pad) / (maxX - minX || 1), (height - 2 * pad) / (maxY - minY || 1));
    const offsetX = (width - scale * (maxX - minX)) / 2;
    const offsetY = (height - scale * (maxY - minY)) / 2;
    this.placed = new Float32Array(2 * n);
    context.globalAlpha = 0.8;
    for (let i = 0; i < n; i++) {
      const x = offsetX + (points[2 * i] - minX) * scale;
      const y = offsetY + (points[2 * i + 1] - minY) * scale;
      this.placed[2 * i] = x;
      this.placed[2 * i + 1] = y;
      context.fillStyle = DIGIT_COLOURS[this.labels[i]];
      context.beginPath();
      context.arc(x, y, RADIUS, 0, 2 * Math.PI);
      context.fill();
    }
  }

  private hover(x: number, y: number): void {
    let best = -1;
    let bestDistance = HOVER_DISTANCE ** 2;
    for (let i = 0; i < this.placed.length / 2; i++) {
      const d = (this.placed[2 * i] - x) ** 2 + (this.placed[2 * i + 1] - y) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    }
    if (best < 0) return void (this.tip.hidden = true);
    const picture = document.createElement('canvas');
    paintDigit(picture, this.images, best);
    const text = document.createElement('span');
    text.innerHTML = `digit <b>${this.labels[best]}</b><br>test image ${best + 1}`;
    this.tip.replaceChildren(picture, text);
    this.tip.style.left = `${this.placed[2 * best]}px`;
    this.tip.style.top = `${this.placed[2 * best + 1]}px`;
    this.tip.classList.toggle('left', this.placed[2 * best] > this.canvas.clientWidth * 0.6);
    this.tip.hidden = false;
  }
}
