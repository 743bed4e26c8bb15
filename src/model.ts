// A sequential model: checks every layer's shapes up front, owns the parameters and their gradients,
// and runs training (see trainer.ts), evaluation and prediction through plans built once per batch size.
import { AccuracyCounter } from './accuracy';
import { BatchStream } from './data/batches';
import { Dataset } from './data/dataset';
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import { ConfigError, DisposedError, ShapeError } from './gpu/errors';
import { Conv2d } from './layers/conv2d';
import type { Fusion, Layer } from './layers/layer';
import { Linear } from './layers/linear';
import { MaxPool2d } from './layers/maxpool2d';
import { ReLU } from './layers/relu';
import type { BoundOptimizer, Optimizer } from './optim/optimizer';
import { initialParameters, layoutParameters, type ParameterEntry } from './parameters';
import { Plan, type PlannedLayer } from './plan';
import { profileStages } from './profiler';
import { Trainer, type FitOptions, type FitResult, type TrainingRun } from './trainer';

export interface SequentialOptions {
  /** Per-sample input shape, e.g. [1, 28, 28]. */
  inputShape: readonly number[];
  /** Seed for the initial parameters (default 0). */
  seed?: number;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

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
  predictions?: Uint32Array;
}

export class Sequential {
  readonly layers: readonly Layer[];
  /** shapes[0] is the input shape; shapes[i + 1] is layer i's output shape (per sample). */
  readonly shapes: readonly (readonly number[])[];
  readonly parameterEntries: readonly ParameterEntry[];
  readonly classes: number;
  readonly memory: BufferGroup;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly parameterCount: number;
  /** Optimizer steps taken so far. */
  step = 0;
  /** The current run of fit() (its seed, batch size, …), so `fit({ resume: true })` can continue it; saved in checkpoints. */
  run: TrainingRun | undefined;
  private readonly planned: PlannedLayer[];
  private readonly plans = new Map<string, Promise<Plan>>();
  private readonly trainers = new Map<string, Promise<Trainer>>();
  /** The compiled optimizer and the group holding its state, freed when it is replaced. */
  private optimizer: { bound: Promise<BoundOptimizer>; memory: BufferGroup } | undefined;
  private disposed = false;

  constructor(readonly engine: Engine, layers: readonly Layer[], options: SequentialOptions) {
    if (layers.length === 0) throw new ConfigError('Sequential', 'no layers', 'Give at least one layer.');
    const shapes: number[][] = [[...options.inputShape]];
    if (options.inputShape.length === 0 || options.inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError('Sequential inputShape', options.inputShape, 'positive integers, e.g. [1, 28, 28]');
    }
    layers.forEach((layer, i) => {
      layer.name ??= String(i);
      shapes.push(layer.outputShape(shapes[i]));
    });
    const last = shapes[shapes.length - 1];
    if (last.length !== 1) throw new ShapeError('Sequential output', last, '[classes] (end with Flatten and Linear)');
    this.layers = layers;
    this.shapes = shapes;
    this.classes = last[0];
    const names = layers.map((l) => l.name!);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new ConfigError('Sequential', `two layers are named "${duplicate}"`, 'Give every layer a unique name.');

    const { entries, floats } = layoutParameters(layers, names, shapes);
    this.parameterEntries = entries;
    this.parameterCount = entries.reduce((a, e) => a + e.size, 0);
    this.memory = new BufferGroup(engine);
    this.params = this.memory.floats('parameters', floats);
    this.grads = this.memory.floats('gradients', floats);
    engine.write(this.params, 0, initialParameters(entries, floats, options.seed ?? 0));
    this.planned = layers.map((layer, i) => ({
      layer,
      label: `${layer.name} (${layer.kind})`,
      fusion: fusionAt(layers, i),
      params: this.slices(this.params, i),
      grads: this.slices(this.grads, i),
    }));
  }

  private slices(buffer: GPUBuffer, layerIndex: number) {
    return Object.fromEntries(
      this.parameterEntries.filter((e) => e.layerIndex === layerIndex).map((e) => [e.spec.name, { buffer, offset: e.offset * 4, size: e.size * 4 }]),
    );
  }

  /** Throws DisposedError after dispose(), or the engine's error if its device was lost. */
  checkAlive(): void {
    if (this.disposed) throw new DisposedError('this model was disposed');
    this.engine.checkAlive();
  }

  /** The plan for `batch` samples (training plans also hold gradients); built once and cached. */
  plan(batch: number, training: boolean): Promise<Plan> {
    this.checkAlive();
    const key = `${batch}/${training}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = Plan.build(this.engine, this.planned, this.shapes, batch, training);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Sets the optimizer used by fit(); its state (moments, step) starts fresh. */
  compile(options: { optimizer: Optimizer }): void {
    this.checkAlive();
    // The previous optimizer's state and the trainers bound to it are freed once they finish building.
    void this.releaseTraining();
    const memory = new BufferGroup(this.engine);
    const bound = options.optimizer.bind(memory, { params: this.params, grads: this.grads, count: this.params.size / 4 });
    bound.catch(() => {}); // surfaced by the next fit()
    this.optimizer = { bound, memory };
  }

  /** The compiled optimizer, bound to this model's buffers (its state buffers and step), or undefined before compile(). */
  async boundOptimizer(): Promise<BoundOptimizer | undefined> {
    this.checkAlive();
    return this.optimizer?.bound;
  }

  private async releaseTraining(): Promise<void> {
    const optimizer = this.optimizer;
    const trainers = [...this.trainers.values()];
    this.optimizer = undefined;
    this.trainers.clear();
    for (const trainer of await Promise.allSettled(trainers)) if (trainer.status === 'fulfilled') trainer.value.dispose();
    if (optimizer) {
      await optimizer.bound.catch(() => {});
      optimizer.memory.dispose();
    }
  }

  /** Trains on `dataset` (a Dataset or the arrays to make one). */
  async fit(dataset: Dataset, options: FitOptions = {}): Promise<FitResult> {
    this.checkAlive();
    if (!this.optimizer) throw new ConfigError('Sequential.fit', 'no optimizer', 'Call model.compile({ optimizer: new Adam() }) first.');
    const batch = options.batchSize ?? 32;
    const key = `${dataset.id}/${batch}`;
    let trainer = this.trainers.get(key);
    if (!trainer) {
      trainer = this.optimizer.bound.then((optimizer) => Trainer.create(this, optimizer, dataset, batch));
      this.trainers.set(key, trainer);
    }
    return (await trainer).fit(options);
  }

  /**
   * Times every stage of a training step on `dataset` (it trains while doing so: `repeats` real steps).
   * Uses timestamp queries where the adapter has them.
   */
  async profileTrainingStep(dataset: Dataset, options: { batchSize?: number; repeats?: number } = {}) {
    this.checkAlive();
    if (!this.optimizer) throw new ConfigError('Sequential.profileTrainingStep', 'no optimizer', 'Call model.compile({ optimizer }) first.');
    const batch = options.batchSize ?? 32;
    const trainer = await this.optimizer.bound.then((optimizer) => Trainer.create(this, optimizer, dataset, batch));
    try {
      trainer.rewind();
      return await profileStages(this.engine, trainer.stages(), options.repeats ?? 5);
    } finally {
      trainer.dispose();
    }
  }

  /** Accuracy on the first `limit` samples of `dataset`; only the counts are read back. */
  async evaluate(dataset: Dataset, options: EvaluateOptions = {}): Promise<Evaluation> {
    this.checkAlive();
    const count = Math.min(options.limit ?? dataset.count, dataset.count);
    this.checkDataset('Sequential.evaluate', dataset);
    const predictions = options.predictions ? this.engine.createBuffer(`${dataset.name} predictions`, count * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC) : undefined;
    try {
      let correct = 0;
      for (const chunk of batchChunks(count, options.batchSize ?? 500)) {
        const { stream, counter, plan } = await this.evaluator(dataset, chunk.batch);
        stream.seek(chunk.start);
        counter.reset();
        const encoder = this.engine.device.createCommandEncoder({ label: `evaluate ${dataset.name}` });
        for (let b = 0; b < chunk.batches; b++) {
          const pass = encoder.beginComputePass({ label: `evaluate batch ${b}` });
          stream.record(pass);
          plan.forward(pass);
          counter.record(pass);
          pass.end();
          if (predictions) encoder.copyBufferToBuffer(counter.predictions, 0, predictions, (chunk.start + b * chunk.batch) * 4, chunk.batch * 4);
        }
        await this.engine.checked(`evaluate ${dataset.name}`, () => this.engine.device.queue.submit([encoder.finish()]));
        correct += await counter.readCorrect();
      }
      const result: Evaluation = { accuracy: correct / count, correct, count };
      if (predictions) result.predictions = new Uint32Array(await this.engine.read(predictions, 0, count * 4));
      return result;
    } finally {
      if (predictions) this.engine.release(predictions);
    }
  }

  private readonly evaluators = new Map<string, Promise<{ stream: BatchStream; counter: AccuracyCounter; plan: Plan }>>();

  private evaluator(dataset: Dataset, batch: number) {
    const key = `${dataset.id}/${batch}`;
    let evaluator = this.evaluators.get(key);
    if (!evaluator) {
      evaluator = (async () => {
        const plan = await this.plan(batch, false);
        const stream = await BatchStream.create(plan.memory, dataset, batch, plan.input, plan.labels);
        stream.setOrder(Uint32Array.from({ length: dataset.count }, (_, i) => i));
        const counter = await AccuracyCounter.create(plan.memory, `evaluate ${dataset.name}`, batch, this.classes, plan.logits.buffer, plan.labels);
        return { stream, counter, plan };
      })();
      this.evaluators.set(key, evaluator);
    }
    return evaluator;
  }

  /**
   * Runs the model on `samples` ([n, ...inputShape] values, bytes scaled by 1/255 or floats as given) and
   * returns the logits [n, classes], or the output of layer `options.layer` (e.g. a hidden layer for a map).
   */
  async predict(samples: Float32Array | Uint8Array, options: { batchSize?: number; layer?: number } = {}): Promise<Tensor> {
    this.checkAlive();
    const sampleSize = this.shapes[0].reduce((a, b) => a * b, 1);
    if (samples.length === 0 || samples.length % sampleSize !== 0) {
      throw new ShapeError('Sequential.predict', [samples.length], `a multiple of ${sampleSize} values ([n, ${this.shapes[0].join(', ')}])`);
    }
    const layer = options.layer ?? this.layers.length - 1;
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layers.length) {
      throw new ConfigError('Sequential.predict', `layer is ${layer}`, `layer must be an index from 0 to ${this.layers.length - 1}.`);
    }
    const n = samples.length / sampleSize;
    const outShape = this.shapes[layer + 1];
    const outSize = outShape.reduce((a, b) => a * b, 1);
    const dataset = Dataset.upload(this.engine, { samples, labels: new Uint32Array(n), sampleShape: this.shapes[0], name: `predict#${n}` });
    const result = this.engine.createBuffer('predict result', n * outSize * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const temporary = new BufferGroup(this.engine);
    try {
      const encoder = this.engine.device.createCommandEncoder({ label: 'predict' });
      for (const chunk of batchChunks(n, options.batchSize ?? 500)) {
        const plan = await this.plan(chunk.batch, false);
        const stream = await BatchStream.create(temporary, dataset, chunk.batch, plan.input, plan.labels);
        stream.setOrder(Uint32Array.from({ length: n }, (_, i) => i), chunk.start);
        for (let b = 0; b < chunk.batches; b++) {
          const pass = encoder.beginComputePass({ label: `predict batch ${b}` });
          stream.record(pass);
          plan.forward(pass);
          pass.end();
          // Commands run in order, so the next batch overwrites the plan's buffers only after this copy.
          const at = (chunk.start + b * chunk.batch) * outSize * 4;
          encoder.copyBufferToBuffer(plan.activations[layer + 1].buffer, 0, result, at, chunk.batch * outSize * 4);
        }
      }
      await this.engine.checked('predict', () => this.engine.device.queue.submit([encoder.finish()]));
      return { shape: [n, ...outShape], data: new Float32Array(await this.engine.read(result, 0, n * outSize * 4)) };
    } finally {
      temporary.dispose();
      dataset.dispose();
      this.engine.release(result);
    }
  }

  checkDataset(where: string, dataset: Dataset): void {
    if (dataset.sampleShape.join() !== this.shapes[0].join()) {
      throw new ShapeError(`${where} (dataset "${dataset.name}")`, dataset.sampleShape, `[${this.shapes[0].join(', ')}], the model's input shape`);
    }
    if (dataset.maxLabel >= this.classes) {
      throw new ConfigError(`${where} (dataset "${dataset.name}")`, `a label is ${dataset.maxLabel}`, `Labels must be below ${this.classes}, the model's number of classes.`);
    }
  }

  /** Every parameter by PyTorch name, read from the GPU. */
  async getParameters(): Promise<Map<string, Tensor>> {
    return this.readTensors(this.params);
  }

  /** The gradients of the last training step, by parameter name. */
  async getGradients(): Promise<Map<string, Tensor>> {
    return this.readTensors(this.grads);
  }

  private async readTensors(buffer: GPUBuffer): Promise<Map<string, Tensor>> {
    this.checkAlive();
    const all = new Float32Array(await this.engine.read(buffer));
    return new Map(this.parameterEntries.map((e) => [e.name, { shape: [...e.spec.shape], data: all.slice(e.offset, e.offset + e.size) }]));
  }

  /** Replaces parameters by name. Everything is checked before anything is written. */
  setParameters(tensors: Map<string, Tensor> | Record<string, Tensor>): void {
    this.checkAlive();
    const given = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
    for (const name of given.keys()) {
      if (!this.parameterEntries.some((e) => e.name === name)) {
        throw new ConfigError('Sequential.setParameters', `unknown parameter "${name}"`, `Parameters: ${this.parameterEntries.map((e) => e.name).join(', ')}.`);
      }
    }
    for (const [name, tensor] of given) {
      const entry = this.parameterEntries.find((e) => e.name === name)!;
      if (tensor.shape.join() !== entry.spec.shape.join() || tensor.data.length !== entry.size) {
        throw new ShapeError(`Sequential.setParameters "${name}"`, tensor.shape, `[${entry.spec.shape.join(', ')}]`);
      }
    }
    for (const [name, tensor] of given) {
      const entry = this.parameterEntries.find((e) => e.name === name)!;
      this.engine.write(this.params, entry.offset * 4, tensor.data);
    }
  }

  /** A table of layers, output shapes and parameter counts. */
  summary(): string {
    const rows = this.layers.map((l, i) => {
      const params = this.parameterEntries.filter((e) => e.layerIndex === i).reduce((a, e) => a + e.size, 0);
      return `${`${l.name} (${l.kind})`.padEnd(24)} ${`[${this.shapes[i + 1].join(', ')}]`.padEnd(16)} ${params}`;
    });
    return [`${'layer'.padEnd(24)} ${'output'.padEnd(16)} parameters`, ...rows, `total parameters: ${this.parameterCount}`].join('\n');
  }

  /** Forward FLOPs per sample (a multiply-add counts 2). */
  forwardFlops(): number {
    return this.layers.reduce((a, l, i) => a + l.forwardFlops(this.shapes[i]), 0);
  }

  /** Frees every GPU buffer of the model, its plans, trainers and optimizer state. Any later call throws DisposedError. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.releaseTraining();
    // Evaluators allocate inside their plan's group.
    await Promise.allSettled(this.evaluators.values());
    for (const plan of await Promise.allSettled(this.plans.values())) if (plan.status === 'fulfilled') plan.value.dispose();
    this.memory.dispose();
  }
}

/** Splits `count` samples into full batches of `batch` and one smaller batch for the remainder. */
function batchChunks(count: number, batch: number): Array<{ start: number; batch: number; batches: number }> {
  const size = Math.min(batch, count);
  const chunks = [{ start: 0, batch: size, batches: Math.floor(count / size) }];
  if (count % size) chunks.push({ start: chunks[0].batches * size, batch: count % size, batches: 1 });
  return chunks;
}

/** Which neighbours a layer fuses with (see Fusion). */
function fusionAt(layers: readonly Layer[], i: number): Fusion {
  const producesReluInput = (l: Layer | undefined) => l instanceof Conv2d || l instanceof Linear;
  const layer = layers[i];
  return {
    reluAfter: producesReluInput(layer) && layers[i + 1] instanceof ReLU,
    forwardDone: layer instanceof ReLU && producesReluInput(layers[i - 1]),
    backwardDone: layer instanceof ReLU && layers[i + 1] instanceof MaxPool2d,
    maskInput: layer instanceof MaxPool2d && layers[i - 1] instanceof ReLU,
  };
}
