// The confusion matrix (rows: true class, columns: predicted class) as an HTML table of counts, each
// cell shaded by its share of its row, and the per-class accuracy as SVG bars. Class names are text.
import { perClassAccuracy } from '../confusion';
import { coordinate, escapeHtml, grouped, percent, shorten } from './html';

// Counted where evaluate() counts them; re-exported for the report's callers.
export { confusionCounts, perClassAccuracy } from '../confusion';

/** Green on the diagonal, orange off it; a square root lifts rare confusions (1 in 1,000) enough to be seen. */
function shade(count: number, rowTotal: number, diagonal: boolean): string {
  if (count === 0) return '';
  const share = count / rowTotal;
  const alpha = diagonal ? 0.15 + 0.75 * share : Math.min(0.9, 0.12 + Math.sqrt(share) * 1.6);
  const dark = diagonal ? share > 0.5 : Math.sqrt(share) > 0.45;
  return ` style="background:rgb(${diagonal ? '21 128 61' : '234 88 12'} / ${alpha.toFixed(3)})${dark ? ';color:#fff' : ''}"`;
}

export function renderConfusionTable(counts: readonly (readonly number[])[], classNames: readonly string[]): string {
  const names = classNames.map(escapeHtml);
  const header = `<tr><th class="corner">true ↓<br>predicted →</th>${names.map((n) => `<th scope="col" title="${n}">${n}</th>`).join('')}</tr>`;
  const rows = counts.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((count, j) => `<td class="cell"${shade(count, total, i === j)} title="true ${names[i]}, predicted ${names[j]}: ${grouped(count)}">${count ? grouped(count) : ''}</td>`);
    return `<tr><th scope="row" title="${names[i]}">${names[i]}</th>${cells.join('')}</tr>`;
  });
  return `<table class="confusion" aria-label="Confusion matrix: rows are true classes, columns predicted classes">${header}${rows.join('')}</table>`;
}

const BAR = { height: 22, label: 120, track: 300, value: 70 };

/** One horizontal bar per class (a <rect class="point">), its name on the left, the accuracy and count on the right. */
export function renderClassAccuracy(counts: readonly (readonly number[])[], classNames: readonly string[]): string {
  const accuracies = perClassAccuracy(counts);
  const width = BAR.label + BAR.track + BAR.value;
  const height = BAR.height * counts.length + 4;
  const rows = accuracies.map((accuracy, i) => {
    const name = escapeHtml(classNames[i]);
    const label = escapeHtml(shorten(classNames[i], 16));
    const total = counts[i].reduce((a, b) => a + b, 0);
    const top = 2 + i * BAR.height;
    const middle = coordinate(top + BAR.height / 2);
    const length = coordinate((accuracy ?? 0) * BAR.track);
    const text = accuracy === undefined ? 'no samples' : `${percent(accuracy)} of ${grouped(total)}`;
    return (
      `<text class="tick" x="${BAR.label - 8}" y="${middle}" text-anchor="end" dominant-baseline="middle">${label}<title>${name}</title></text>` +
      `<rect class="track" x="${BAR.label}" y="${top + 3}" width="${BAR.track}" height="${BAR.height - 6}"/>` +
      `<rect class="point" x="${BAR.label}" y="${top + 3}" width="${length}" height="${BAR.height - 6}"><title>${name}: ${text}</title></rect>` +
      `<text class="tick" x="${BAR.label + BAR.track + 6}" y="${middle}" dominant-baseline="middle">${accuracy === undefined ? '—' : percent(accuracy)}</text>`
    );
  });
  return `<svg class="bars" viewBox="0 0 ${width} ${height}" role="img" aria-label="Accuracy of each class">${rows.join('')}</svg>`;
}
