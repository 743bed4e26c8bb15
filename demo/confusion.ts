// The confusion matrix (rows: real digit, columns: predicted) and the accuracy of each digit.
import { count, percent } from './digits';

const CLASSES = 10;

export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>): number[][] {
  const matrix = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
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

export function renderConfusion(table: HTMLElement, perClass: HTMLElement, note: HTMLElement, labels: ArrayLike<number>, predictions: ArrayLike<number>): void {
  const matrix = confusionMatrix(labels, predictions);
  const header = `<tr><th scope="col"><span class="sr-only">real \\ predicted</span></th>${matrix.map((_, j) => `<th scope="col">${j}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((v, j) => {
      const background = shade(v, total, i === j);
      const strong = i === j ? v / total > 0.5 : Math.sqrt(v / total) > 0.45;
      const style = background ? ` style="background:${background};${strong ? 'color:#fff' : ''}"` : '';
      return `<td${style} title="real ${i}, predicted ${j}: ${v}">${v || ''}</td>`;
    });
    return `<tr><th scope="row">${i}</th>${cells.join('')}</tr>`;
  });
  table.innerHTML = `<table aria-label="Confusion matrix: rows are real digits, columns predicted digits">${header}${rows.join('')}</table>`;

  perClass.replaceChildren(
    ...matrix.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      const accuracy = total ? row[i] / total : 0;
      const item = document.createElement('li');
      item.innerHTML = `<b>${i}</b><span class="track"><span style="width:${(accuracy * 100).toFixed(1)}%"></span></span><span>${total ? percent(accuracy) : '—'}</span>`;
      item.setAttribute('aria-label', `digit ${i}: ${total ? percent(accuracy) : 'no images'} of ${total} right`);
      return item;
    }),
  );
  note.textContent = `Rows: real digit; columns: predicted; on ${count(predictions.length)} test images.`;
}
