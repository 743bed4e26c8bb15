// The progress bar and its line of text: step, speed and time left while training; what is happening otherwise.
import { count } from './digits';
import type { FromWorker } from './protocol';

type ProgressMessage = Extract<FromWorker, { type: 'progress' }>;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export class ProgressView {
  private last: ProgressMessage | undefined;

  constructor(
    private readonly bar: HTMLElement,
    private readonly text: HTMLElement,
  ) {}

  private fill(fraction: number): void {
    const value = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
    (this.bar.firstElementChild as HTMLElement).style.width = `${value}%`;
    this.bar.setAttribute('aria-valuenow', String(value));
  }

  loading(text: string, fraction: number): void {
    this.fill(fraction);
    this.text.textContent = text;
  }

  training(p: ProgressMessage): void {
    this.last = p;
    this.fill(p.step / p.totalSteps);
    const epoch = p.epochs > 1 ? ` · epoch ${p.epoch} of ${p.epochs}` : '';
    const speed = p.samplesPerSecond > 0 ? ` · ${count(Math.round(p.samplesPerSecond))} images/s` : '';
    this.text.textContent = `Step ${count(p.step)} of ${count(p.totalSteps)}${epoch}${speed} · ${duration(p.etaSeconds)} left`;
  }

  say(text: string, fraction?: number): void {
    if (fraction !== undefined) this.fill(fraction);
    this.text.textContent = text;
  }

  /** Where the run stands, for the paused and finished states. */
  where(): string {
    return this.last ? `step ${count(this.last.step)} of ${count(this.last.totalSteps)}` : 'the start';
  }

  clear(text: string): void {
    this.last = undefined;
    this.say(text, 0);
  }
}
