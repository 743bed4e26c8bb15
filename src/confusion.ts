// Per-class figures of an evaluation, counted on the CPU from the predicted classes evaluate() reads back
// anyway (4 bytes a sample) and the labels the dataset keeps on the CPU: the confusion matrix (rows: the
// true class, columns: the predicted one, as torchmetrics and scikit-learn lay it out) and, from it, the
// accuracy of each class.

/** counts[t][p]: how many samples of class t were predicted as p. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predictions.length; i++) counts[labels[i]][predictions[i]]++;
  return counts;
}

/** The share of each class's samples predicted right; NaN for a class with no sample (no accuracy to give). */
export function perClassAccuracy(confusion: readonly (readonly number[])[]): number[] {
  return confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? NaN : row[c] / total;
  });
}
