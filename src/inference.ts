// Evaluation and prediction: the model's forward pass in evaluation mode (BatchNorm's running statistics,
// no Dropout), over a dataset on the GPU (only the counts of correct answers and the predicted classes
// are read back) or over samples given by the caller.
import { AccuracyCounter } from './accuracy';
import { confusionCounts, perClassAccuracy } from './confusion';
import { BatchStream } from './data/batches';
import type { Dataset } from './data/dataset';
import { ConfigError, ShapeError } from './gpu/errors';
import { positiveInt } from './layers/check';
import type { Sequential, Tensor } from './model';
import { pixelsToValues } from './pixels';
import type { Plan } from './plan';

export interface EvaluateOptions {
  batchSize?: number;
  /** Evaluate only the first `limit` samples. */
  limit?: number;
  /** Also return the predicted class of every sample. */
  predictions?: boolean;
}

export interface Evaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** The model's class names (model.info.classes), when it has them: what the indices below stand for. */
  classes?: readonly string[];
  /** Per class (by index), the share of its samples predicted right; undefined for a class with no sample among those evaluated. */
  perClassAccuracy: Array<number | undefined>;
  /** confusion[t][p]: how many samples of class t were predicted as class p. */
  confusion: number[][];
  /** The predicted class of every sample, with `predictions: true`. */
  predictions?: Uint32Array;
}

export interface PredictOptions {
  batchSize?: number;
  /** Return this layer's output instead of the model's: its index in the model's layers, or its name. */
  layer?: number | string;
}

interface Evaluator {
  stream: BatchStream;
  counter: AccuracyCounter;
  plan: Plan;
}

export class Inference {
  private readonly evaluators = new Map<string, Promise<Evaluator>>();

  constructor(private readonly model: Sequential) {}

  async evaluate(dataset: Dataset, options: EvaluateOptions): Promise<Evaluation> {
    const model = this.model;
    const engine = model.engine;
    const count = Math.min(options.limit === undefined ? dataset.count : positiveInt('Sequential.evaluate', 'limit', options.limit), dataset.count);
    const classes = model.checkDataset('Sequential.evaluate', dataset);
    // Larger than the adapter's bindings allow: evaluated in batches that fit.
    const batch = Math.min(positiveInt('Sequential.evaluate', 'batchSize', options.batchSize ?? 500), model.largestBatch);
    // Every prediction is copied out (4 bytes a sample): the per-class counts come from them.
    const predictions = engine.createBuffer(`${dataset.name} predictions`, count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    try {
      let correct = 0;
      for (const chunk of batchChunks(count, batch)) {
        const { stream, counter, plan } = await this.evaluator(dataset, chunk.batch, classes);
        stream.seek(chunk.start);
        counter.reset();
        const encoder = engine.device.createCommandEncoder({ label: `evaluate ${dataset.name}` });
        for (let b = 0; b < chunk.batches; b++) {
          const pass = encoder.beginComputePass({ label: `evaluate batch ${b}` });
          stream.record(pass);
          plan.forward(pass);
          counter.record(pass);
          pass.end();
          encoder.copyBufferToBuffer(counter.predictions, 0, predictions, (chunk.start + b * chunk.batch) * 4, chunk.batch * 4);
        }
        await engine.checked(`evaluate ${dataset.name}`, () => engine.device.queue.submit([encoder.finish()]));
        correct += await counter.readCorrect();
      }
      const predicted = new Uint32Array(await engine.read(predictions, 0, count * 4));
      const confusion = confusionCounts(dataset.hostLabels.subarray(0, count), predicted, classes);
      const result: Evaluation = { accuracy: correct / count, correct, count, perClassAccuracy: perClassAccuracy(confusion), confusion };
      if (model.info.classes) result.classes = model.info.classes;
      if (options.predictions) result.predictions = predicted;
      return result;
    } finally {
      engine.release(predictions);
    }
  }

  private evaluator(dataset: Dataset, batch: number, classes: number): Promise<Evaluator> {
    const key = `${dataset.id}/${batch}`;
    let evaluator = this.evaluators.get(key);
    if (!evaluator) {
      evaluator = (async () => {
        const plan = await this.model.plan(batch, false);
        const stream = await BatchStream.create(plan.memory, dataset, batch, plan.input, plan.labels);
        stream.setOrder(Uint32Array.from({ length: dataset.count }, (_, i) => i));
        const counter = await AccuracyCounter.create(plan.memory, `evaluate ${dataset.name}`, batch, classes, plan.output.buffer, plan.labels);
        return { stream, counter, plan };
      })();
      this.evaluators.set(key, evaluator);
    }
    return evaluator;
  }

  /**
   * The model's output (or a layer's) for `samples`, written straight into a plan's input and read back
   * through a staging buffer that the plan keeps: after the first call for a batch size, a prediction
   * creates no GPU buffer, pipeline or bind group (a drawing pad predicts on every stroke). Calls run one
   * at a time, in order.
   */
  predict(samples: Float32Array | Uint8Array, options: PredictOptions): Promise<Tensor> {
    const model = this.model;
    if (!(samples instanceof Float32Array) && !(samples instanceof Uint8Array)) {
      throw new ConfigError('Sequential.predict', `samples is ${samples === null ? 'null' : (samples as object)?.constructor?.name ?? typeof samples}`, 'Give a Float32Array (values as they are) or a Uint8Array (pixels: scaled by 1/255, then normalised by model.info.normalize).');
    }
    const inputShape = model.shapes[0];
    const sampleSize = inputShape.reduce((a, b) => a * b, 1);
    if (samples.length === 0 || samples.length % sampleSize !== 0) {
      throw new ShapeError('Sequential.predict', [samples.length], `a multiple of ${sampleSize} values ([n, ${inputShape.join(', ')}])`);
    }
    const layer = this.layerIndex(options.layer);
    const batch = Math.min(positiveInt('Sequential.predict', 'batchSize', options.batchSize ?? 500), model.largestBatch);
    const run = () => this.predictInOrder(samples, sampleSize, layer, batch);
    const result = this.predicting.then(run, run);
    this.predicting = result.catch(() => undefined);
    return result;
  }

  private predicting: Promise<unknown> = Promise.resolve();
  private readonly readbacks = new WeakMap<Plan, GPUBuffer>();

  private async predictInOrder(samples: Float32Array | Uint8Array, sampleSize: number, layer: number, batch: number): Promise<Tensor> {
    const model = this.model;
    const engine = model.engine;
    const n = samples.length / sampleSize;
    const outShape = model.shapes[layer + 1];
    const outSize = outShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * outSize);
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const plan = await model.plan(size, false);
      const readback = this.readback(plan);
      const chunk = samples.subarray(start * sampleSize, (start + size) * sampleSize);
      // Bytes are pixels: scaled to [0, 1] as Dataset.upload scales them, and normalised as the model's info says.
      engine.write(plan.input, 0, chunk instanceof Uint8Array ? pixelsToValues(chunk, model.shapes[0], model.info.normalize) : chunk);
      const encoder = engine.device.createCommandEncoder({ label: 'predict' });
      const pass = encoder.beginComputePass({ label: 'predict' });
      plan.forward(pass);
      pass.end();
      encoder.copyBufferToBuffer(plan.activations[layer + 1].buffer, 0, readback, 0, size * outSize * 4);
      await engine.checked('predict', () => engine.device.queue.submit([encoder.finish()]));
      out.set(new Float32Array(await engine.readStaging(readback, size * outSize * 4)), start * outSize);
    }
    return { shape: [n, ...outShape], data: out };
  }

  /** A staging buffer as large as the plan's largest activation, made once per plan and freed with it. */
  private readback(plan: Plan): GPUBuffer {
    let buffer = this.readbacks.get(plan);
    if (!buffer) {
      const bytes = Math.max(...plan.activations.map((a) => a.shape.reduce((x, y) => x * y, 1))) * plan.batch * 4;
      buffer = plan.memory.createBuffer(`predict readback [${plan.batch}]`, bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
      this.readbacks.set(plan, buffer);
    }
    return buffer;
  }

  /** The index of the layer whose output predict() returns (default: the last). */
  private layerIndex(layer: number | string | undefined): number {
    const layers = this.model.layers;
    if (layer === undefined) return layers.length - 1;
    const index = typeof layer === 'string' ? layers.findIndex((l) => l.name === layer) : layer;
    if (!Number.isInteger(index) || index < 0 || index >= layers.length) {
      throw new ConfigError('Sequential.predict', `layer is ${JSON.stringify(layer)}`, `Give a layer index from 0 to ${layers.length - 1}, or a name: ${layers.map((l) => l.name).join(', ')}.`);
    }
    return index;
  }

  /** Resolves once every evaluator being built has finished (they allocate inside their plan's group). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.evaluators.values());
  }
}

/** Splits `count` samples into full batches of `batch` and one smaller batch for the remainder. */
function batchChunks(count: number, batch: number): Array<{ start: number; batch: number; batches: number }> {
  const size = Math.min(batch, count);
  const chunks = [{ start: 0, batch: size, batches: Math.floor(count / size) }];
  if (count % size) chunks.push({ start: chunks[0].batches * size, batch: count % size, batches: 1 });
  return chunks;
}
