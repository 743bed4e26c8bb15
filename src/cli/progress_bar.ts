// A one-line progress bar on stderr, drawn only on a terminal: logs and pipes stay free of
// carriage returns.
import type { Progress } from '../trainer';

/** Redraws at most this often; the bar is for people, not for every step. */
const REDRAW_MS = 200;

export class ProgressBar {
  private lastDraw = 0;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(p: Progress): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && p.step !== p.totalSteps) return;
    this.lastDraw = now;
    // The first steps are only submitted, not done: their rate would be fiction.
    const settled = p.elapsedSeconds >= 1 && p.step > 2;
    const rate = settled ? `, ${p.samplesPerSecond.toFixed(1)} samples/s, ETA ${duration(p.etaSeconds)}` : '';
    const text = ` epoch ${p.epoch}, ${p.step}/${p.totalSteps} steps${rate}`;
    // A fixed width (room for the longest text) so the bar does not jump as the text grows.
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 75));
    const filled = Math.round((width * p.step) / p.totalSteps);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${text}\x1b[K`);
    this.shown = true;
  }

  /** Erases the bar, so a log line can take its place. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/** "1:05:09", "4:07" or "0:03". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
