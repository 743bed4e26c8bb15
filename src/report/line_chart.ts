// A line chart as inline SVG: training steps on x, one or more series of values on y, round ticks on both
// axes and their names. Every value is a <circle class="point"> with its own tooltip (<title>), so the
// chart is readable, and countable, without any script.
import { coordinate, escapeHtml } from './html';
import { linear, niceTicks } from './ticks';

export interface ChartPoint {
  x: number;
  y: number;
  /** The tooltip: what the point is, in words. */
  label: string;
}

export interface Series {
  name: string;
  colour: string;
  points: readonly ChartPoint[];
  /** Join the points with a line (a curve); false for isolated points (one final evaluation). */
  line: boolean;
}

export interface LineChartSpec {
  /** The figure's id, for links and tests. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  formatY: (value: number) => string;
  /** Values the y axis must include (0 for a loss, 1 for an accuracy). */
  includeY: readonly number[];
  /** Shown instead of the chart when no series has a point. */
  empty: string;
}

const WIDTH = 520;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 14, bottom: 46 };

export function renderLineChart(spec: LineChartSpec): string {
  const points = spec.series.flatMap((s) => s.points);
  const caption = `<figcaption>${escapeHtml(spec.title)}</figcaption>`;
  if (points.length === 0) return `<figure class="chart" id="${spec.id}">${caption}<p class="empty">${escapeHtml(spec.empty)}</p></figure>`;
  const xTicks = niceTicks(0, Math.max(...points.map((p) => p.x)));
  const ys = [...points.map((p) => p.y), ...spec.includeY];
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const [left, right, top, bottom] = [MARGIN.left, WIDTH - MARGIN.right, MARGIN.top, HEIGHT - MARGIN.bottom];
  const x = linear([xTicks[0], xTicks.at(-1)!], [left, right]);
  const y = linear([yTicks[0], yTicks.at(-1)!], [bottom, top]);
  const grid = [
    ...yTicks.map((t) => `<line class="grid" x1="${left}" x2="${right}" y1="${coordinate(y(t))}" y2="${coordinate(y(t))}"/><text class="tick" x="${left - 6}" y="${coordinate(y(t))}" text-anchor="end" dominant-baseline="middle">${escapeHtml(spec.formatY(t))}</text>`),
    ...xTicks.map((t) => `<line class="grid" y1="${top}" y2="${bottom}" x1="${coordinate(x(t))}" x2="${coordinate(x(t))}"/><text class="tick" y="${bottom + 16}" x="${coordinate(x(t))}" text-anchor="middle">${t}</text>`),
  ];
  const axes = [
    `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/><line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`,
    `<text class="axis-label" x="${(left + right) / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  ];
  const series = spec.series.map((s) => {
    const at = s.points.map((p) => [coordinate(x(p.x)), coordinate(y(p.y))]);
    const line = s.line && s.points.length > 1 ? `<polyline points="${at.map(([cx, cy]) => `${cx},${cy}`).join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>` : '';
    const radius = s.line ? (s.points.length > 200 ? 1.5 : 3) : 5;
    const dots = s.points.map((p, i) => `<circle class="point" cx="${at[i][0]}" cy="${at[i][1]}" r="${radius}" fill="${s.colour}"><title>${escapeHtml(p.label)}</title></circle>`);
    return `<g>${line}${dots.join('')}</g>`;
  });
  const legend = spec.series.filter((s) => s.points.length > 0).map((s) => `<li><i style="background:${s.colour}"></i>${escapeHtml(s.name)}</li>`);
  const description = `${spec.title}: ${spec.yLabel} against ${spec.xLabel}`;
  return (
    `<figure class="chart" id="${spec.id}">${caption}<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(description)}">` +
    `${grid.join('')}${axes.join('')}${series.join('')}</svg><ul class="legend">${legend.join('')}</ul></figure>`
  );
}
