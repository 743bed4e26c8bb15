// The training report: one self-contained HTML page (styles inline, pictures as data URIs, charts as inline
// SVG, no script), so it opens from disk, offline, years later. renderReport is a pure function of the data;
// collect.ts gathers that data from a trained model, write.ts puts the page in a file.
import { renderClassAccuracy, renderConfusionTable, confusionCounts } from './confusion';
import { escapeHtml, grouped, percent } from './html';
import { renderLineChart, type Series } from './line_chart';
import { renderMap, type MapData } from './map';
import { renderMistakes, type Mistake } from './mistakes';
import { REPORT_STYLE } from './style';

export interface TrainingHistory {
  /** The training loss at each logged step. */
  loss: ReadonlyArray<{ step: number; loss: number }>;
  /** The accuracy measured while training (at logged steps), on `count` samples of the evaluated set. */
  accuracy: ReadonlyArray<{ step: number; accuracy: number; count: number }>;
}

export interface ReportData {
  title: string;
  /** What was run, in order: [what, value] ("network", "reference"). */
  facts: ReadonlyArray<readonly [string, string]>;
  /** The class names, in label order ('0'…'9' for MNIST). */
  classNames: readonly string[];
  history: TrainingHistory;
  /** The final evaluation: `labels[i]` and `predictions[i]` of sample i of the evaluated set, after `step` steps. */
  evaluation: { name: string; step: number; labels: ArrayLike<number>; predictions: ArrayLike<number> };
  /** [channels, height, width] of the samples. */
  imageShape: readonly number[];
  /** The mistakes shown (the first ones of the evaluated set) and how many there are in all. */
  mistakes: { shown: readonly Mistake[]; total: number };
  /** The map of the last hidden layer; undefined when it could not be made (said in `mapNote`). */
  map: (MapData & { description: string }) | undefined;
  mapNote?: string;
}

const LOSS_COLOUR = '#4e79a7';
const ACCURACY_COLOUR = '#59a14f';
const FINAL_COLOUR = '#e15759';

export function renderReport(data: ReportData): string {
  const { classNames, evaluation } = data;
  const counts = confusionCounts(evaluation.labels, evaluation.predictions, classNames.length);
  const correct = counts.reduce((a, row, i) => a + row[i], 0);
  const total = evaluation.labels.length;
  const accuracy = total ? correct / total : 0;
  const sections = [
    `<header><h1>${escapeHtml(data.title)}</h1><p class="headline">${percent(accuracy, 2)} of ${grouped(total)} ${escapeHtml(evaluation.name)} right after ${grouped(evaluation.step)} steps</p>` +
      `<dl class="facts">${data.facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl></header>`,
    `<section class="pair"><h2>Training</h2>${lossChart(data.history)}${accuracyChart(data, accuracy)}</section>`,
    `<section class="pair"><h2>Classes, on ${grouped(total)} ${escapeHtml(evaluation.name)}</h2>` +
      `<figure class="chart" id="confusion"><figcaption>Confusion matrix (rows: true class; columns: predicted; shade: share of the row)</figcaption>${renderConfusionTable(counts, classNames)}</figure>` +
      `<figure class="chart" id="per-class"><figcaption>Accuracy of each class</figcaption>${renderClassAccuracy(counts, classNames)}</figure></section>`,
    `<section id="mistakes"><h2>Mistakes</h2><p class="note">${mistakesNote(data)}</p>${renderMistakes(data.mistakes.shown, data.imageShape, classNames)}</section>`,
    `<section id="map"><h2>The last hidden layer, in 2-D</h2>${data.map ? `<p class="note">${escapeHtml(data.map.description)}</p>${renderMap(data.map, classNames)}` : `<p class="empty">${escapeHtml(data.mapNote ?? 'No map.')}</p>`}</section>`,
  ];
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    // No network, ever: the page is complete as it is, and nothing injected into it could load or run anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(data.title)}</title><style>${REPORT_STYLE}</style></head>` +
    `<body>${sections.join('')}</body></html>\n`
  );
}

function lossChart(history: TrainingHistory): string {
  return renderLineChart({
    id: 'loss', title: 'Training loss', xLabel: 'step', yLabel: 'loss (softmax cross-entropy)', formatY: (v) => String(v), includeY: [0],
    empty: 'No loss was logged: the run was shorter than its logging interval.',
    series: [{ name: 'training loss of the batch', colour: LOSS_COLOUR, line: true, points: history.loss.map((l) => ({ x: l.step, y: l.loss, label: `step ${l.step}: loss ${l.loss.toFixed(4)}` })) }],
  });
}

function accuracyChart(data: ReportData, finalAccuracy: number): string {
  const { history, evaluation } = data;
  const sizes = [...new Set(history.accuracy.map((a) => a.count))];
  const during = sizes.length === 1 ? `first ${grouped(sizes[0])} ${evaluation.name}` : evaluation.name;
  const series: Series[] = [
    { name: `${during}, while training`, colour: ACCURACY_COLOUR, line: true, points: history.accuracy.map((a) => ({ x: a.step, y: a.accuracy, label: `step ${a.step}: ${percent(a.accuracy, 2)} of ${grouped(a.count)}` })) },
    {
      name: `all ${grouped(evaluation.labels.length)} ${evaluation.name}, at the end`, colour: FINAL_COLOUR, line: false,
      points: evaluation.labels.length ? [{ x: evaluation.step, y: finalAccuracy, label: `step ${evaluation.step}: ${percent(finalAccuracy, 2)} of ${grouped(evaluation.labels.length)}` }] : [],
    },
  ];
  return renderLineChart({ id: 'accuracy', title: 'Accuracy', xLabel: 'step', yLabel: 'accuracy', formatY: (v) => `${Number((v * 100).toFixed(2))}%`, includeY: [1], empty: 'No accuracy was measured.', series });
}

function mistakesNote(data: ReportData): string {
  const { shown, total } = data.mistakes;
  const name = escapeHtml(data.evaluation.name);
  if (total === 0) return `No mistakes on the ${grouped(data.evaluation.labels.length)} ${name}.`;
  const which = shown.length < total ? `The first ${grouped(shown.length)} of ${grouped(total)} mistakes` : `All ${grouped(total)} mistakes`;
  return `${which} on the ${name}, in their order: true class → predicted class, and the probability the model gave its prediction.`;
}
