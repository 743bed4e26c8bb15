// What a report needs from the trained model beyond the final evaluation's predictions: the probability of
// each mistake shown (its logits, by predict()) and the map of the last hidden layer (its output, by
// predict({ layer }), laid out by UMAP). Two forward passes over at most MAP_SAMPLES + MISTAKES_SHOWN
// samples, after training: the training loop is not touched.
import { ConfigError } from '../gpu/errors';
import { lastHiddenLayer } from '../last_hidden_layer';
import type { Sequential } from '../model';
import { UMAP_MIN_DIST, UMAP_NEIGHBOURS, umapLayout } from './embedding';
import { grouped } from './html';
import type { Mistake } from './mistakes';
import type { ReportData, TrainingHistory } from './report';

/** Samples on the map: the tutorial's t-SNE showed 500; 2,000 fill the map and take UMAP seconds, not minutes. */
export const MAP_SAMPLES = 2000;
/** Mistakes shown in the grid (the first ones in the evaluated set's order). */
export const MISTAKES_SHOWN = 40;

export interface ReportInput {
  model: Sequential;
  title: string;
  facts: ReadonlyArray<readonly [string, string]>;
  /** Default: '0', '1', … one per class of the model. */
  classNames?: readonly string[];
  history: TrainingHistory;
  /**
   * The evaluated set and the final evaluation: its samples as bytes ([n, ...sampleShape], as Dataset.upload
   * takes them), its labels, and the predicted classes of its first predictions.length samples.
   */
  evaluation: { name: string; samples: Uint8Array; sampleShape: readonly number[]; labels: ArrayLike<number>; predictions: Uint32Array };
  /** Seeds the map's layout, so that the same run draws the same map. */
  seed: number;
  /** Samples on the map (default MAP_SAMPLES). */
  mapSamples?: number;
}

export interface CollectedReport {
  data: ReportData;
  /** Time spent laying out the map (UMAP), in seconds; 0 without a map. */
  mapSeconds: number;
}

export async function collectReport(input: ReportInput): Promise<CollectedReport> {
  const { model, evaluation } = input;
  const classes = model.classes ?? 0;
  const classNames = input.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
  if (classNames.length !== classes) throw new ConfigError('collectReport', `${classNames.length} class names for a model with ${classes} classes`, 'Give one name per class, in label order.');
  const count = evaluation.predictions.length;
  const sampleSize = evaluation.sampleShape.reduce((a, b) => a * b, 1);
  const labels = Array.from({ length: count }, (_, i) => evaluation.labels[i]);
  const sample = (i: number) => evaluation.samples.subarray(i * sampleSize, (i + 1) * sampleSize);

  const wrong = labels.flatMap((label, i) => (label === evaluation.predictions[i] ? [] : [i]));
  const shown = wrong.slice(0, MISTAKES_SHOWN);
  const probabilities = shown.length ? await predictedProbabilities(model, shown.map(sample), shown.map((i) => evaluation.predictions[i])) : [];
  const mistakes: Mistake[] = shown.map((index, k) => ({ index, label: labels[index], predicted: evaluation.predictions[index], probability: probabilities[k], image: sample(index).slice() }));

  const data: ReportData = {
    title: input.title, facts: input.facts, classNames, history: input.history, imageShape: evaluation.sampleShape,
    evaluation: { name: evaluation.name, step: model.step, labels, predictions: evaluation.predictions },
    mistakes: { shown: mistakes, total: wrong.length }, map: undefined,
  };
  const mapCount = Math.min(input.mapSamples ?? MAP_SAMPLES, count);
  if (mapCount < 2) {
    data.mapNote = 'Too few samples were evaluated to draw a map (it needs two).';
    return { data, mapSeconds: 0 };
  }
  let hidden;
  try {
    hidden = lastHiddenLayer(model);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    data.mapNote = `No map: ${e.message}`;
    return { data, mapSeconds: 0 };
  }
  const features = await model.predict(evaluation.samples.subarray(0, mapCount * sampleSize), { layer: hidden.index });
  const dim = features.data.length / mapCount;
  const started = performance.now();
  const points = await umapLayout(features.data, mapCount, dim, input.seed);
  const mapSeconds = (performance.now() - started) / 1000;
  const layer = model.layers[hidden.index];
  data.map = {
    points, labels: labels.slice(0, mapCount), predictions: evaluation.predictions.subarray(0, mapCount),
    description:
      `UMAP (umap-js; ${UMAP_NEIGHBOURS} neighbours, min_dist ${UMAP_MIN_DIST}, seed ${input.seed}) of the output of layer "${hidden.name}" (${layer.kind}, ${grouped(dim)} values per sample), ` +
      `the input of the last Linear, for the first ${grouped(mapCount)} ${evaluation.name}; laid out in ${mapSeconds.toFixed(1)} s. ` +
      'Colour: true class; ringed: misclassified. Only neighbourhoods mean something: the axes do not.',
  };
  return { data, mapSeconds };
}

/** The probability the model gives class `predicted[k]` for sample k: the softmax of its logits. */
async function predictedProbabilities(model: Sequential, samples: Uint8Array[], predicted: number[]): Promise<number[]> {
  const size = samples[0].length;
  const batch = new Uint8Array(samples.length * size);
  samples.forEach((s, k) => batch.set(s, k * size));
  const out = await model.predict(batch);
  const classes = out.data.length / samples.length;
  const alreadyProbabilities = model.layers.at(-1)!.outputsProbabilities;
  return predicted.map((c, k) => {
    const row = out.data.subarray(k * classes, (k + 1) * classes);
    if (alreadyProbabilities) return row[c];
    // Shifted by the largest logit, so exp never overflows.
    const max = Math.max(...row);
    const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
    return Math.exp(row[c] - max) / sum;
  });
}
