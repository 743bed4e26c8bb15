// What a run on the user's pictures gives: the mistakes among the evaluated pictures (thumbnail, real →
// predicted) and the top classes of a new picture. Class names are set as text only.
import { percent } from './digits';
import { pictureCanvas, type Picture } from './pictures';

const MISTAKES = 48;
const TOP = 3;

/** `pictures[i]` was evaluated with real class `labels[i]` and predicted `predictions[i]`. */
export function renderMistakes(grid: HTMLElement, classes: readonly string[], pictures: Picture[], labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  const wrong = pictures.map((_, i) => i).filter((i) => labels[i] !== predictions[i]);
  grid.replaceChildren(
    ...wrong.slice(0, MISTAKES).map((i) => {
      const tile = document.createElement('figure');
      tile.className = 'tile wrong';
      const [real, guess] = [classes[labels[i]], classes[predictions[i]]];
      tile.title = `${pictures[i].name}: ${real}, predicted ${guess}`;
      const caption = document.createElement('figcaption');
      caption.className = 'label mistake';
      const realText = document.createElement('span');
      realText.textContent = real;
      const guessText = document.createElement('b');
      guessText.textContent = `→ ${guess}`;
      caption.append(realText, guessText);
      tile.append(pictureCanvas(pictures[i].image, `${pictures[i].name}, real ${real}, predicted ${guess}`), caption);
      return tile;
    }),
  );
  if (wrong.length === 0) grid.textContent = `No mistakes on these ${pictures.length} pictures.`;
  else if (wrong.length > MISTAKES) grid.append(`… and ${wrong.length - MISTAKES} more.`);
  return wrong.length;
}

/** The `TOP` most probable classes, as bars with their probabilities. */
export function renderTop(list: HTMLElement, classes: readonly string[], probabilities: number[]): void {
  const order = probabilities.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]).slice(0, TOP);
  list.replaceChildren(
    ...order.map(([p, i], rank) => {
      const item = document.createElement('li');
      item.className = rank === 0 ? 'best' : '';
      item.dataset.class = classes[i];
      item.dataset.probability = String(p);
      const name = document.createElement('b');
      name.textContent = classes[i];
      const track = document.createElement('span');
      track.className = 'track';
      const fill = document.createElement('span');
      fill.style.width = `${(p * 100).toFixed(1)}%`;
      track.append(fill);
      const value = document.createElement('span');
      value.textContent = percent(p);
      item.append(name, track, value);
      return item;
    }),
  );
}
