// The 2-D map of the last hidden layer: one dot per sample at its embedded position, coloured by its true
// class, mistakes ringed in black. An embedding's axes mean nothing (only neighbourhoods do), so there
// are none: the points, a legend of class names, and a tooltip per point.
import { classColour } from './colours';
import { coordinate, escapeHtml } from './html';

export interface MapData {
  /** x, y of each sample, interleaved. */
  points: Float32Array;
  labels: ArrayLike<number>;
  predictions: ArrayLike<number>;
}

const SIZE = 560;
const PAD = 12;

export function renderMap(map: MapData, classNames: readonly string[]): string {
  const n = map.points.length / 2;
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    [minX, maxX] = [Math.min(minX, map.points[2 * i]), Math.max(maxX, map.points[2 * i])];
    [minY, maxY] = [Math.min(minY, map.points[2 * i + 1]), Math.max(maxY, map.points[2 * i + 1])];
  }
  // One scale for both axes: distances on the map are distances in the embedding.
  const scale = (SIZE - 2 * PAD) / Math.max(maxX - minX, maxY - minY, 1e-12);
  const [offsetX, offsetY] = [(SIZE - scale * (maxX - minX)) / 2, (SIZE - scale * (maxY - minY)) / 2];
  const classes = classNames.length;
  const names = classNames.map(escapeHtml);
  const dots: string[] = [];
  for (let i = 0; i < n; i++) {
    const [label, predicted] = [map.labels[i], map.predictions[i]];
    const x = coordinate(offsetX + (map.points[2 * i] - minX) * scale);
    const y = coordinate(offsetY + (map.points[2 * i + 1] - minY) * scale);
    const wrong = label !== predicted;
    const tip = `sample ${i}: ${names[label]}${wrong ? `, predicted ${names[predicted]}` : ''}`;
    dots.push(`<circle class="point${wrong ? ' wrong' : ''}" cx="${x}" cy="${y}" r="3" fill="${classColour(label, classes)}"><title>${tip}</title></circle>`);
  }
  const legend = names.map((name, c) => `<li><i style="background:${classColour(c, classes)}"></i>${name}</li>`);
  return (
    `<svg class="map" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="2-D map of the last hidden layer, one point per sample, coloured by true class">${dots.join('')}</svg>` +
    `<ul class="legend">${legend.join('')}<li><i class="ring"></i>misclassified</li></ul>`
  );
}
