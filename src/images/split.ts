// A seeded, stratified train/validation split of a labelled dataset, and picking a subset of its samples.
import { ConfigError } from '../gpu/errors';
import { Random } from '../random';
import type { ImageFolderData } from './image_folder';

export interface SplitOptions {
  /** The fraction of each class that goes to validation, in [0, 1). */
  validation: number;
  seed: number;
}

/**
 * Sample indices for training and validation, class by class: a class of n samples gives
 * round(n · validation) of them (halves round up) to validation, but at least 1 and at most n − 1 when
 * n ≥ 2 and validation > 0, so every class is in both sets; a class of one sample stays in training.
 * Which samples go is drawn with the project's generator (Random, xoshiro128**) from `seed`, one
 * permutation per class in label order, so a seed gives the same split on every host. Both lists are
 * in increasing order.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions): { train: Uint32Array; validation: Uint32Array } {
  const { validation: fraction, seed } = options;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new ConfigError('stratifiedSplit', `validation is ${fraction}`, 'validation is the fraction of each class held out, from 0 up to (not including) 1');
  }
  if (!Number.isInteger(seed)) throw new ConfigError('stratifiedSplit', `seed is ${seed}`, 'seed is an integer');
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0) throw new ConfigError('stratifiedSplit', `label ${i} is ${label}`, 'Labels are integers ≥ 0');
    let members = byClass.get(label);
    if (!members) byClass.set(label, (members = []));
    members.push(i);
  }
  const random = new Random(seed);
  const held = new Uint8Array(labels.length);
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label)!;
    const n = members.length;
    const count = n < 2 || fraction === 0 ? 0 : Math.min(Math.max(Math.round(n * fraction), 1), n - 1);
    const order = random.permutation(n);
    for (let k = 0; k < count; k++) held[members[order[k]]] = 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < labels.length; i++) (held[i] ? validation : train).push(i);
  return { train: Uint32Array.from(train), validation: Uint32Array.from(validation) };
}

/** The samples at `indices` (in that order), with their labels and files; the classes stay as they were. */
export function subset(data: ImageFolderData, indices: ArrayLike<number>): ImageFolderData {
  const size = data.sampleShape[0] * data.sampleShape[1] * data.sampleShape[2];
  const count = data.labels.length;
  const samples = new Uint8Array(indices.length * size);
  const labels = new Uint32Array(indices.length);
  const files: string[] = [];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new ConfigError('subset', `index ${k} is ${i}`, `Indices are integers from 0 to ${count - 1}`);
    samples.set(data.samples.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = data.labels[i];
    files.push(data.files[i]);
  }
  return { classes: [...data.classes], samples, labels, sampleShape: [...data.sampleShape], files };
}
