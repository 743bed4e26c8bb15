// Report data made up for tests: a run of `count` evaluated samples, a third of them wrong, `logs` logged
// steps, a map of the first `mapped` samples and `shown` mistakes, with random pictures.
import { Random } from '../../src/random';
import type { ReportData } from '../../src/report/report';

/** A class name that would run a script if it were ever parsed as HTML. */
export const HOSTILE = '<img src=x onerror=alert(1)>';

/** A report of `count` evaluated samples of `classes` classes, a third of them wrong, with `logs` logged steps. */
export function sampleReport(options: { classes: number; count: number; logs: number; mapped: number; shown: number; classNames?: string[]; shape?: number[] }): ReportData {
  const random = new Random(11);
  const shape = options.shape ?? [1, 8, 8];
  const size = shape.reduce((a, b) => a * b, 1);
  const labels = Array.from({ length: options.count }, () => random.below(options.classes));
  const predictions = Uint32Array.from(labels, (l, i) => (i % 3 === 0 ? (l + 1) % options.classes : l));
  const wrong = labels.flatMap((l, i) => (predictions[i] === l ? [] : [i]));
  return {
    title: 'A report', facts: [['network', 'reference'], ['adapter', 'a <b>bold</b> one']],
    classNames: options.classNames ?? Array.from({ length: options.classes }, (_, i) => `class ${i}`),
    history: {
      loss: Array.from({ length: options.logs }, (_, i) => ({ step: 50 * (i + 1), loss: 2.3 / (i + 1) })),
      accuracy: Array.from({ length: options.logs }, (_, i) => ({ step: 50 * (i + 1), accuracy: 1 - 0.9 / (i + 1), count: 2000 })),
    },
    evaluation: { name: 'test images', step: 50 * options.logs, labels, predictions },
    imageShape: shape,
    mistakes: {
      shown: wrong.slice(0, options.shown).map((index) => ({ index, label: labels[index], predicted: predictions[index], probability: 0.75, image: Uint8Array.from({ length: size }, () => random.below(256)) })),
      total: wrong.length,
    },
    map: {
      points: Float32Array.from({ length: 2 * options.mapped }, () => random.uniform(-5, 5)),
      labels: labels.slice(0, options.mapped), predictions: predictions.subarray(0, options.mapped), description: 'UMAP of "flatten"',
    },
  };
}

