// The confusion matrix (rows: real class, columns: predicted) and the accuracy of each class. Class names
// come from the user on the "Your images" page, so they are only ever set as text, never as HTML.
import { count, percent } from './digits';

const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));

export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predictions.length; i++) matrix[labels[i]][predictions[i]]++;
  return matrix;
}

/** Shades a cell by its share of its row: the diagonal green, confusions orange, so both stand out. */
function shade(value: number, rowTotal: number, diagonal: boolean): string {
  if (value === 0 || rowTotal === 0) return '';
  const share = value / rowTotal;
  // A square root lifts rare confusions (1 in 1,000) enough to be seen.
  const alpha = diagonal ? 0.15 + 0.75 * share : Math.min(0.9, 0.12 + Math.sqrt(share) * 1.6);
  return diagonal ? `rgb(21 128 61 / ${alpha})` : `rgb(234 88 12 / ${alpha})`;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', attributes: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

export interface ConfusionText {
  /** The class names in label order (default: the digits). */
  classes?: readonly string[];
  /** What a class is called ("digit", "class"). */
  noun?: string;
  /** What was evaluated ("test images", "validation pictures"). */
  images?: string;
}

export function renderConfusion(
  table: HTMLElement, perClass: HTMLElement, note: HTMLElement, labels: ArrayLike<number>, predictions: ArrayLike<number>, text: ConfusionText = {},
): void {
  const { classes = DIGITS, noun = 'digit', images = 'test images' } = text;
  const matrix = confusionMatrix(labels, predictions, classes.length);
  const grid = element('table', '', { 'aria-label': `Confusion matrix: rows are real ${noun}s, columns predicted ${noun}s` });
  const corner = element('th', '', { scope: 'col' });
  corner.append(element('span', 'real \\ predicted', { class: 'sr-only' }));
  const header = element('tr');
  header.append(corner, ...classes.map((name) => element('th', name, { scope: 'col', title: name })));
  grid.append(header);
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const line = element('tr');
    line.append(element('th', classes[i], { scope: 'row', title: classes[i] }));
    row.forEach((v, j) => {
      const cell = element('td', v ? String(v) : '', { title: `real ${classes[i]}, predicted ${classes[j]}: ${v}` });
      const background = shade(v, total, i === j);
      const strong = i === j ? v / total > 0.5 : Math.sqrt(v / total) > 0.45;
      if (background) cell.style.background = background;
      if (background && strong) cell.style.color = '#fff';
      line.append(cell);
    });
    grid.append(line);
  });
  table.replaceChildren(grid);

  perClass.replaceChildren(
    ...matrix.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      const accuracy = total ? row[i] / total : 0;
      const item = element('li', '', { 'aria-label': `${noun} ${classes[i]}: ${total ? percent(accuracy) : 'no images'} of ${total} right` });
      item.dataset.accuracy = total ? String(accuracy) : '';
      const track = element('span', '', { class: 'track' });
      const fill = element('span');
      fill.style.width = `${(accuracy * 100).toFixed(1)}%`;
      track.append(fill);
      item.append(element('b', classes[i], { title: classes[i] }), track, element('span', total ? percent(accuracy) : '—'));
      return item;
    }),
  );
  note.textContent = `Rows: real ${noun}; columns: predicted; on ${count(predictions.length)} ${images}.`;
}
