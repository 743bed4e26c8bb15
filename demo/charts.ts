// The live learning curves, drawn with uPlot (small, fast, and redraws thousands of points per frame).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const HEIGHT = 220;

class Curve {
  private readonly x: number[] = [];
  private readonly y: number[] = [];
  private readonly plot: uPlot;

  constructor(private readonly element: HTMLElement, label: string, colour: string, range?: [number, number], format = (v: number) => v.toFixed(3), unit = '') {
    this.plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: HEIGHT,
        // Curves start at zero, so a falling loss reads as a fraction of where it began.
        scales: { x: { time: false }, y: { range: range ?? ((_, __, max) => [0, max == null || !Number.isFinite(max) ? 2.5 : max * 1.05]) } },
        legend: { show: true },
        cursor: { points: { size: 7 } },
        axes: [
          { label: 'step', size: 40, stroke: '#5d6275', grid: { stroke: '#eceef4' }, ticks: { stroke: '#e3e5ee' } },
          { size: 48, stroke: '#5d6275', grid: { stroke: '#eceef4' }, ticks: { stroke: '#e3e5ee' }, values: (_, ticks) => ticks.map((t) => `${+t.toFixed(4)}${unit}`) },
        ],
        series: [
          { label: 'step' },
          { label, stroke: colour, width: 2, fill: `${colour}14`, points: { show: (u) => u.data[0].length < 40, size: 5, fill: colour }, value: (_, v) => (v == null ? '—' : format(v)) },
        ],
      },
      [[], []],
      element,
    );
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT })).observe(element);
  }

  add(x: number, y: number): void {
    this.x.push(x);
    this.y.push(y);
    this.plot.setData([this.x, this.y]);
    this.element.dataset.points = String(this.x.length);
    // The first and latest values, for a reader (or a test) that wants the trend without the plot.
    this.element.dataset.first = String(this.y[0]);
    this.element.dataset.last = String(y);
  }

  clear(): void {
    this.x.length = 0;
    this.y.length = 0;
    this.plot.setData([[], []]);
    this.element.dataset.points = '0';
  }
}

export class LearningCurves {
  private readonly loss: Curve;
  private readonly accuracy: Curve;

  constructor(lossElement: HTMLElement, accuracyElement: HTMLElement) {
    this.loss = new Curve(lossElement, 'loss', '#4f46e5');
    this.accuracy = new Curve(accuracyElement, 'accuracy', '#15803d', [0, 100], (v) => `${v.toFixed(1)}%`, '%');
  }

  add(step: number, loss: number, accuracy?: number): void {
    this.loss.add(step, loss);
    if (accuracy !== undefined) this.accuracy.add(step, accuracy * 100);
  }

  clear(): void {
    this.loss.clear();
    this.accuracy.clear();
  }
}
