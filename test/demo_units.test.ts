// The demo's pure parts, in Node: MNIST-style preprocessing of a drawing, the
// confusion matrix, and the "Your images" page's folder rules and samples.
import { expect, test } from 'vitest';
import { confusionMatrix } from '../demo/confusion';
import { toMnist } from '../demo/preprocess';
import { groupByClass, toSamples } from '../demo/pictures';
import { ImageError } from '../src/index';
import { loadMnistFromPackage } from '../src/data/mnist_node';

/** Pearson correlation of two images: 1 for the same picture, whatever its brightness. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / n;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The best correlation of `a` with `b` moved by up to one pixel: MNIST's own centring rounded to whole pixels. */
function alignedCorrelation(a: Uint8Array, b: Uint8Array): number {
  let best = -1;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const moved = new Uint8Array(784);
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (y + dy >= 0 && y + dy < 28 && x + dx >= 0 && x + dx < 28) moved[(y + dy) * 28 + x + dx] = b[y * 28 + x];
      best = Math.max(best, correlation(a, moved));
    }
  }
  return best;
}

/** An MNIST digit blown up `k` times and shifted, as if drawn large off-centre on a pad. */
function drawnLarge(image: Uint8Array, k: number, side: number, shift: number): Uint8Array {
  const out = new Uint8Array(side * side);
  for (let y = 0; y < 28 * k; y++) for (let x = 0; x < 28 * k; x++) out[(y + shift) * side + x + shift] = image[Math.floor(y / k) * 28 + Math.floor(x / k)];
  return out;
}

test('a drawing is cropped, scaled to 20 px and centred by mass, as MNIST was made', async () => {
  const { test: mnist } = await loadMnistFromPackage();
  // MNIST digits are already normalised this way, so normalising a blown-up one gives it back.
  for (const index of [0, 1, 2, 3, 4, 7, 11, 18, 61, 99]) {
    const image = mnist.images.subarray(index * 784, (index + 1) * 784);
    const pixels = toMnist(drawnLarge(image, 10, 330, 37), 330, 330)!;
    expect(pixels).toHaveLength(784);
    expect(alignedCorrelation(pixels, image), `test digit ${index}`).toBeGreaterThan(0.9);
  }
});

test('the digit keeps its aspect, fits a 20-pixel box and sits on its centre of mass', () => {
  const side = 100;
  const bar = new Uint8Array(side * side);
  for (let y = 10; y < 90; y++) for (let x = 70; x < 80; x++) bar[y * side + x] = 255; // a tall "1"
  const pixels = toMnist(bar, side, side)!;
  const rows = new Set<number>();
  const columns = new Set<number>();
  let [mass, mx, my] = [0, 0, 0];
  pixels.forEach((v, i) => {
    if (v === 0) return;
    rows.add(Math.floor(i / 28));
    columns.add(i % 28);
    mass += v;
    mx += v * ((i % 28) + 0.5);
    my += v * (Math.floor(i / 28) + 0.5);
  });
  expect(rows.size).toBe(20);
  expect(columns.size).toBeLessThanOrEqual(3);
  expect(Math.abs(mx / mass - 14)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(my / mass - 14)).toBeLessThanOrEqual(0.5);
  expect(toMnist(new Uint8Array(side * side), side, side)).toBeNull();
});

test('the confusion matrix counts real digits by row and predictions by column', () => {
  const matrix = confusionMatrix([0, 0, 1, 9], [0, 1, 1, 9]);
  expect(matrix[0][0]).toBe(1);
  expect(matrix[0][1]).toBe(1);
  expect(matrix[1][1]).toBe(1);
  expect(matrix[9][9]).toBe(1);
  expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(4);
});

test('a confusion matrix of any number of classes', () => {
  expect(confusionMatrix([0, 2, 2], [1, 2, 0], 3)).toEqual([[0, 1, 0], [0, 0, 0], [1, 0, 1]]);
});

test('dropped folders are grouped by class with ImageFolder\'s rules', () => {
  const file = (path: string) => ({ path, file: new File([new Uint8Array(1)], path.split('/').pop()!) });
  const { classes, refused, loose } = groupByClass([
    file('shapes/star/b.png'), file('shapes/circle/2.PNG'), file('shapes/circle/10.jpg'), file('shapes/circle/sub/0.jpeg'),
    file('shapes/.hidden/x.png'), file('shapes/star/.DS_Store'), file('shapes/star/notes.txt'), file('shapes/star/old.bmp'),
    file('loose.png'), file('dogs/rex.png'),
  ]);
  // Classes sorted by code point; files as torchvision orders them (by folder, then name).
  expect([...classes.keys()]).toEqual(['circle', 'dogs', 'star']);
  expect(classes.get('circle')!.map((f) => f.name)).toEqual(['10.jpg', '2.PNG', '0.jpeg']);
  expect(classes.get('dogs')!.map((f) => f.name)).toEqual(['rex.png']);
  expect(classes.get('star')!.map((f) => f.name)).toEqual(['b.png']);
  expect(refused).toHaveLength(1);
  expect(refused[0]).toContain('shapes/star/old.bmp');
  expect(loose).toBe(1);
});

test('pictures become samples of the chosen size; channels "auto" is 1 only when every picture is gray', () => {
  const picture = (rgb: [number, number, number]) => ({ name: 'p', image: { width: 2, height: 2, data: new Uint8Array(16).map((_, i) => (i % 4 === 3 ? 255 : rgb[i % 4])) } });
  const gray = toSamples([picture([7, 7, 7]), picture([9, 9, 9])], 4, 'auto');
  expect(gray.channels).toBe(1);
  expect(Array.from(gray.samples)).toEqual([...new Array(16).fill(7), ...new Array(16).fill(9)]);
  const colour = toSamples([picture([7, 7, 7]), picture([1, 2, 3])], 1, 'auto');
  expect(colour.channels).toBe(3);
  expect(Array.from(colour.samples)).toEqual([7, 7, 7, 1, 2, 3]);
  expect(toSamples([picture([1, 2, 3])], 1, 1).samples).toEqual(new Uint8Array([Math.round((1 * 19595 + 2 * 38470 + 3 * 7471) / 65536)]));
  expect(() => toSamples([{ name: 'bad.png', image: { width: 2, height: 2, data: new Uint8Array(3) } }], 4, 3)).toThrow(ImageError);
});
