// One colour per class, the same in the map, its legend and anywhere else a class is coloured.

/** Tableau 10: distinct from each other and readable on white; the demo colours digits the same way. */
const TABLEAU_10 = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#7f7f7f'];

/** The colour of class `index` of `classes`: Tableau 10 up to ten classes, hues spread by the golden angle beyond. */
export function classColour(index: number, classes: number): string {
  if (classes <= TABLEAU_10.length) return TABLEAU_10[index];
  // Successive hues 137.5° apart never repeat and stay far apart for neighbouring indices.
  const hue = (index * 137.508) % 360;
  const lightness = [42, 58, 50][index % 3];
  return `hsl(${hue.toFixed(1)} 65% ${lightness}%)`;
}
