// Draw a digit: a canvas for mouse, pen or finger; the drawing is turned into an MNIST image and the model
// predicts while you draw. At most one prediction is in flight; strokes made meanwhile are coalesced.
import { DIGIT_COLOURS, paintDigit, percent } from './digits';
import { toMnist } from './preprocess';

/** The canvas's own resolution, whatever its size on screen: 12 pixels per MNIST pixel. */
const RESOLUTION = 336;
/** About MNIST's stroke width once the digit is scaled into its 20-pixel box. */
const PEN = RESOLUTION * 0.07;

export class DrawPad {
  private readonly context: CanvasRenderingContext2D;
  private last: { x: number; y: number } | undefined;
  /** Counts changes to the drawing; a prediction answers the change it was asked for. */
  private seq = 0;
  private inFlight = false;
  private stale = false;
  private frame = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly seen: HTMLCanvasElement,
    private readonly guess: HTMLElement,
    private readonly bars: HTMLElement,
    clear: HTMLButtonElement,
    private readonly ask: (id: number, pixels: Uint8Array) => void,
  ) {
    canvas.width = canvas.height = RESOLUTION;
    this.context = canvas.getContext('2d', { willReadFrequently: true })!;
    this.context.lineCap = this.context.lineJoin = 'round';
    this.context.lineWidth = PEN;
    this.context.strokeStyle = this.context.fillStyle = '#1d2033';
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel'] as const) canvas.addEventListener(type, () => (this.last = undefined));
    clear.addEventListener('click', () => this.clear());
    this.bars.replaceChildren(...DIGIT_COLOURS.map((_, digit) => {
      const item = document.createElement('li');
      item.innerHTML = `<span class="col"><span style="height:0%"></span></span><span>${digit}</span>`;
      return item;
    }));
    this.clear();
  }

  clear(): void {
    this.context.clearRect(0, 0, RESOLUTION, RESOLUTION);
    this.seq++;
    this.canvas.dataset.seq = String(this.seq);
    paintDigit(this.seen, new Uint8Array(28 * 28));
    this.show(this.seq, undefined);
  }

  /** Asks again, e.g. after the model changed (a request that raced a reset gets no answer). */
  refresh(): void {
    this.inFlight = false;
    this.predict();
  }

  /** Shows the answer to request `id`; undefined probabilities mean "nothing drawn". */
  show(id: number, probabilities: number[] | undefined): void {
    this.inFlight = false;
    if (this.stale) this.predict();
    if (id !== this.seq) return;
    const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    this.guess.textContent = top < 0 ? '?' : String(top);
    this.guess.dataset.digit = top < 0 ? '' : String(top);
    this.guess.dataset.seq = String(id);
    [...this.bars.children].forEach((item, digit) => {
      const p = probabilities?.[digit] ?? 0;
      (item.querySelector('.col span') as HTMLElement).style.height = `${(p * 100).toFixed(1)}%`;
      item.classList.toggle('best', digit === top);
      item.setAttribute('aria-label', `${digit}: ${percent(p)}`);
    });
  }

  private point(e: PointerEvent) {
    const scale = RESOLUTION / this.canvas.clientWidth;
    return { x: e.offsetX * scale, y: e.offsetY * scale };
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    this.last = this.point(e);
    this.context.beginPath();
    this.context.arc(this.last.x, this.last.y, PEN / 2, 0, 2 * Math.PI);
    this.context.fill();
    this.changed();
  }

  private move(e: PointerEvent): void {
    if (!this.last) return;
    // Coalesced events keep fast strokes smooth where the browser merges pointer moves.
    for (const event of e.getCoalescedEvents?.() ?? [e]) {
      const next = this.point(event);
      this.context.beginPath();
      this.context.moveTo(this.last.x, this.last.y);
      this.context.lineTo(next.x, next.y);
      this.context.stroke();
      this.last = next;
    }
    this.changed();
  }

  private changed(): void {
    this.seq++;
    this.canvas.dataset.seq = String(this.seq);
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.predict());
  }

  private predict(): void {
    if (this.inFlight) return void (this.stale = true);
    this.stale = false;
    const { data } = this.context.getImageData(0, 0, RESOLUTION, RESOLUTION);
    const ink = new Uint8Array(RESOLUTION * RESOLUTION);
    for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i + 3];
    const pixels = toMnist(ink, RESOLUTION, RESOLUTION);
    if (!pixels) return this.show(this.seq, undefined);
    paintDigit(this.seen, pixels);
    this.inFlight = true;
    this.ask(this.seq, pixels);
  }
}
