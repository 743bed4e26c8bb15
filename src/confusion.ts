// Per-class figures of an evaluation, counted on the CPU from the predicted classes evaluate() reads back
// (4 bytes a sample) and the labels the dataset keeps on the CPU: the confusion matrix (rows: the true
// class, columns: the predicted one, as torchmetrics and scikit-learn lay it out) and, from it, the
// accuracy of each class. The training report draws the same counts.

/** counts[true][predicted] over every sample; throws RangeError on a label or prediction outside the classes. */
export function confusionCounts(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  if (labels.length !== predictions.length) throw new RangeError(`confusionCounts: ${labels.length} labels but ${predictions.length} predictions`);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [label, predicted] = [labels[i], predictions[i]];
    if (!(label >= 0 && label < classes && predicted >= 0 && predicted < classes)) {
      throw new RangeError(`confusionCounts: sample ${i} has label ${label} and prediction ${predicted}; both must be below ${classes}, the number of classes`);
    }
    counts[label][predicted]++;
  }
  return counts;
}

/** Per class: the share of its samples predicted right (undefined for a class with no samples). */
export function perClassAccuracy(counts: readonly (readonly number[])[]): Array<number | undefined> {
  return counts.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? undefined : row[i] / total;
  });
}
