// A sequential model: construction and state. It checks every layer's shapes up front, lays out the tensors
// the layers declare (parameters, their gradients, persistent buffers), initialises them as PyTorch does,
// keeps the mode (train/eval) and the plans built per batch size. Training lives in trainer.ts (through the
// model's TrainingState), evaluation and prediction in inference.ts.
import { Dataset } from './data/dataset';
import { BufferGroup } from './gpu/buffer_group';
import type { Engine } from './gpu/engine';
import { ConfigError, DisposedError, ShapeError } from './gpu/errors';
import type { Layer } from './layers/layer';
import type { Optimizer, BoundOptimizer } from './optim/optimizer';
import { Inference, type EvaluateOptions, type Evaluation, type PredictOptions } from './inference';
import { checkModelInfo, type ModelInfo } from './model_info';
import { classify, type ClassifyInput, type ClassScore, type ClassifyOptions } from './classify';
import { Plan } from './plan';
import { profileStages, profileWholeStep } from './profiler';
import { TensorLayout, type TensorEntry } from './tensor_layout';
import { Trainer, type FitOptions, type FitResult } from './trainer';
import { TrainingState, type TrainingRun } from './training_state';

export interface SequentialOptions {
  /** Per-sample input shape, e.g. [1, 28, 28]. */
  inputShape: readonly number[];
  /** Seed for the initial parameters (default 0). */
  seed?: number;
  /**
   * Fuse element-wise neighbours as the layers declare (default true): an activation into the layer
   * before it, ReLU's mask into the pooling after it. false runs every layer as its own pass, the same
   * results within rounding; for measuring what fusion saves.
   */
  fusion?: boolean;
  /** What the model is (network name, class names, input normalisation): see Sequential.info. */
  info?: ModelInfo;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** A persistent buffer: f32, or i64 (BatchNorm's num_batches_tracked) as exact 64-bit integers. */
export interface BufferTensor {
  shape: number[];
  data: Float32Array | BigInt64Array;
}

export class Sequential {
  readonly layers: readonly Layer[];
  /** shapes[0] is the input shape; shapes[i + 1] is layer i's output shape (per sample). */
  readonly shapes: readonly (readonly number[])[];
  /** Where every declared tensor lives, with its PyTorch name. */
  readonly layout: TensorLayout;
  /** The number of classes when the output is a vector of class scores ([classes]); undefined for other outputs. */
  readonly classes: number | undefined;
  readonly memory: BufferGroup;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  /** Persistent buffers (running statistics, counters), as 4-byte words. */
  readonly buffers: GPUBuffer;
  readonly parameterCount: number;
  /** The per-sample size, in floats, of the largest activation (inside containers too): what limits the batch. */
  readonly largestActivation: { floats: number; layer: string };
  /** Step count, run, optimizer, schedule and clock: the one owner of what training changes. */
  readonly state: TrainingState;
  private mode: 'train' | 'eval' = 'train';
  private description: Readonly<ModelInfo> = Object.freeze({});
  private readonly plans = new Map<string, Promise<Plan>>();
  private readonly inference = new Inference(this);
  private disposed = false;
  /** Whether plans fuse element-wise neighbours (SequentialOptions.fusion). */
  readonly fusion: boolean;

  constructor(readonly engine: Engine, layers: readonly Layer[], options: SequentialOptions) {
    if (layers.length === 0) throw new ConfigError('Sequential', 'no layers', 'Give at least one layer.');
    if (options.inputShape.length === 0 || options.inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError('Sequential inputShape', options.inputShape, 'positive integers, e.g. [1, 28, 28]');
    }
    const shapes: number[][] = [[...options.inputShape]];
    layers.forEach((layer, i) => {
      layer.name ??= String(i);
      shapes.push(layer.outputShape(shapes[i]));
    });
    const names = layers.map((l) => l.name!);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new ConfigError('Sequential', `two layers are named "${duplicate}"`, 'Give every layer a unique name.');
    if (options.fusion !== undefined && typeof options.fusion !== 'boolean') throw new ConfigError('Sequential', `fusion is ${String(options.fusion)}`, 'fusion must be true or false.');
    this.fusion = options.fusion ?? true;
    this.layers = layers;
    this.shapes = shapes;
    const last = shapes[shapes.length - 1];
    this.classes = last.length === 1 ? last[0] : undefined;
    this.layout = new TensorLayout(layers, shapes);
    this.parameterCount = this.layout.parameters.reduce((a, e) => a + e.size, 0);
    this.largestActivation = largestActivation(layers, shapes);
    if (options.info !== undefined) this.info = options.info;

    this.memory = new BufferGroup(engine);
    this.params = this.memory.floats('parameters', this.layout.parameterWords);
    this.grads = this.memory.floats('gradients', this.layout.parameterWords);
    this.buffers = this.memory.floats('buffers', this.layout.bufferWords);
    const initial = this.layout.initialValues(options.seed ?? 0);
    engine.write(this.params, 0, initial.params);
    engine.write(this.buffers, 0, initial.buffers);
    this.state = new TrainingState(engine, this.memory, { params: this.params, grads: this.grads, parameters: this.layout.parameters });
  }

  /**
   * What the model is, beyond its weights: the network's name, the class names (one per output) and the
   * normalisation of its inputs. Saved with the weights (in the file's __metadata__) and restored when a
   * file that has it is loaded; predict() and classify() normalise pixels with it, evaluate() and
   * classify() name the classes with it. Empty until set; setting it checks it against the model
   * (ConfigError) and keeps a frozen copy.
   */
  get info(): Readonly<ModelInfo> {
    return this.description;
  }

  set info(info: ModelInfo) {
    this.description = checkModelInfo(info, { inputShape: this.shapes[0], classes: this.classes }, (_, problem, valid) => {
      throw new ConfigError('Sequential.info', problem, valid);
    });
  }

  /** Throws DisposedError after dispose(), or the engine's error if its device was lost. */
  checkAlive(): void {
    if (this.disposed) throw new DisposedError('this model was disposed');
    this.engine.checkAlive();
  }

  /**
   * The most samples one batch may hold on this adapter: every activation of a batch lives in one buffer,
   * and a storage binding holds at most maxStorageBufferBindingSize bytes (128 MiB on lavapipe).
   */
  get largestBatch(): number {
    return Math.max(1, Math.floor(this.engine.device.limits.maxStorageBufferBindingSize / (4 * this.largestActivation.floats)));
  }

  /** Refuses, before any GPU work, a batch whose activations would not fit the adapter's bindings. */
  checkBatch(where: string, batch: number): void {
    if (batch <= this.largestBatch) return;
    const { floats, layer } = this.largestActivation;
    throw new ConfigError(
      where,
      `a batch of ${batch} needs ${batch * floats * 4} bytes for the output of ${layer}, over this adapter's limit of ${this.engine.device.limits.maxStorageBufferBindingSize} bytes per storage binding`,
      `Use batchSize ≤ ${this.largestBatch}.`,
    );
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.state.step;
  }

  /** The current run of fit() (its seed, batch size, schedule, …), continued by `fit({ resume: true })`. */
  get run(): TrainingRun | undefined {
    return this.state.run;
  }

  /** True in training mode (the default, as in PyTorch). fit() trains in training mode; evaluate() and predict() always run in evaluation mode. */
  get training(): boolean {
    return this.mode === 'train';
  }

  /** Training mode: BatchNorm uses the batch's statistics and updates its running ones; Dropout drops. */
  train(on = true): this {
    this.mode = on ? 'train' : 'eval';
    return this;
  }

  /** Evaluation mode: BatchNorm uses its running statistics; Dropout passes values through. */
  eval(): this {
    return this.train(false);
  }

  /** The plan for `batch` samples (training plans also hold gradients); built once and cached. */
  plan(batch: number, training: boolean): Promise<Plan> {
    this.checkAlive();
    const key = `${batch}/${training}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const tensors = {
        tensorsOf: (layer: Layer) => this.layout.slicesFor(layer, this.params, this.grads, this.buffers),
        labelOf: (layer: Layer) => `${this.layout.names.get(layer)} (${layer.kind})`,
        clock: this.state.clock,
      };
      plan = Plan.build(this.engine, tensors, this.layers, this.shapes[0], batch, training, this.fusion);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Sets the optimizer used by fit(); its state (moments, step) starts fresh. */
  compile(options: { optimizer: Optimizer }): void {
    this.checkAlive();
    this.state.compile(options.optimizer);
  }

  /** The compiled optimizer, bound to this model's buffers (its state buffers and step), or undefined before compile(). */
  async boundOptimizer(): Promise<BoundOptimizer | undefined> {
    this.checkAlive();
    return this.state.compiledOptimizer;
  }

  /** Trains on `dataset` (see Dataset.upload) with softmax cross-entropy, in training mode; the model is left in the mode it was in. */
  async fit(dataset: Dataset, options: FitOptions = {}): Promise<FitResult> {
    this.checkAlive();
    checkDatasetArgument('Sequential.fit', dataset);
    await this.state.requireCompiled('Sequential.fit');
    const batch = options.batchSize ?? 32;
    const trainer = await this.state.boundTo(`trainer ${dataset.id}/${batch}`, () => Trainer.create(this, dataset, batch));
    return trainer.fit(options);
  }

  /**
   * Times every stage of a training step on `dataset`, each alone, and the whole step as fit() records it
   * (`stepMs`: one compute pass), in milliseconds, medians over `repeats` (it trains while doing so: 2 ×
   * `repeats` real steps). Uses timestamp queries where the adapter has them.
   */
  async profileTrainingStep(dataset: Dataset, options: { batchSize?: number; repeats?: number } = {}) {
    this.checkAlive();
    await this.state.requireCompiled('Sequential.profileTrainingStep');
    const trainer = await Trainer.create(this, dataset, options.batchSize ?? 32);
    try {
      trainer.rewind();
      const repeats = options.repeats ?? 5;
      const stages = await profileStages(this.engine, trainer.stages(), repeats);
      trainer.rewind(); // so the steps read the same batches as before, never past the dataset's end
      const step = await profileWholeStep(this.engine, trainer.stages(), repeats);
      return { ...stages, stepMs: step.ms };
    } finally {
      trainer.dispose();
    }
  }

  /**
   * Accuracy on the first `limit` samples of `dataset`, in evaluation mode, overall and per class (with the
   * confusion matrix and, when info has them, the class names); only the count of correct answers and the
   * predicted classes are read back.
   */
  async evaluate(dataset: Dataset, options: EvaluateOptions = {}): Promise<Evaluation> {
    this.checkAlive();
    checkDatasetArgument('Sequential.evaluate', dataset);
    return this.inference.evaluate(dataset, options);
  }

  /**
   * Runs the model in evaluation mode on `samples` ([n, ...inputShape] values: floats as given, or bytes as
   * pixels, scaled by 1/255 and normalised with info.normalize when the model has one) and returns its
   * output [n, ...outputShape] (the logits of a classifier), or the output of `options.layer` (its index or
   * name, e.g. a hidden layer for a map).
   */
  async predict(samples: Float32Array | Uint8Array, options: PredictOptions = {}): Promise<Tensor> {
    this.checkAlive();
    return this.inference.predict(samples, options);
  }

  /**
   * The `top` most probable classes of each input ([n, ...inputShape], as predict() takes it: pixels are
   * normalised with info.normalize; or pictures, RgbaImages of any size, resized and converted to the input's
   * size and channels as image folders are, by imageToSample), with their names from info.classes and their probabilities (a float64
   * softmax of the logits, or the output itself when the model ends in Softmax), the most probable first.
   */
  async classify(input: ClassifyInput, options: ClassifyOptions = {}): Promise<ClassScore[][]> {
    this.checkAlive();
    return classify(this, input, options);
  }

  /** The number of classes, after checking `dataset` fits the model (input shape, labels); for fit and evaluate. */
  checkDataset(where: string, dataset: Dataset): number {
    if (this.classes === undefined) {
      const out = this.shapes[this.shapes.length - 1];
      throw new ConfigError(where, `the model's output has shape [${out.join(', ')}], not class scores`, 'fit and evaluate need a model whose output is [classes] (end with Flatten and Linear); use predict() for other outputs.');
    }
    if (dataset.sampleShape.join() !== this.shapes[0].join()) {
      throw new ShapeError(`${where} (dataset "${dataset.name}")`, dataset.sampleShape, `[${this.shapes[0].join(', ')}], the model's input shape`);
    }
    if (dataset.maxLabel >= this.classes) {
      throw new ConfigError(`${where} (dataset "${dataset.name}")`, `a label is ${dataset.maxLabel}`, `Labels must be below ${this.classes}, the model's number of classes.`);
    }
    return this.classes;
  }

  /** Every parameter by PyTorch name, read from the GPU. */
  async getParameters(): Promise<Map<string, Tensor>> {
    return this.readFloats(this.params, this.layout.parameters);
  }

  /** The gradients of the last training step, by parameter name. */
  async getGradients(): Promise<Map<string, Tensor>> {
    return this.readFloats(this.grads, this.layout.parameters);
  }

  /** Every persistent buffer by PyTorch name (running_mean, running_var: f32; num_batches_tracked: i64). */
  async getBuffers(): Promise<Map<string, BufferTensor>> {
    this.checkAlive();
    const words = await this.engine.read(this.buffers);
    return new Map(this.layout.buffers.map((e) => [e.name, { shape: [...e.spec.shape], data: bufferData(e, words) }]));
  }

  /** The state_dict: parameters and buffers, by PyTorch name. */
  async stateDict(): Promise<Map<string, BufferTensor>> {
    const [params, buffers] = await Promise.all([this.getParameters(), this.getBuffers()]);
    return new Map<string, BufferTensor>([...params, ...buffers]);
  }

  private async readFloats(buffer: GPUBuffer, entries: readonly TensorEntry[]): Promise<Map<string, Tensor>> {
    this.checkAlive();
    const all = new Float32Array(await this.engine.read(buffer));
    return new Map(entries.map((e) => [e.name, { shape: [...e.spec.shape], data: all.slice(e.offset, e.offset + e.size) }]));
  }

  /** Replaces parameters and buffers by name (a state_dict, or part of one). Everything is checked before anything is written. */
  setParameters(tensors: Map<string, BufferTensor> | Record<string, BufferTensor>): void {
    this.checkAlive();
    const given = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
    const entries = this.layout.entries;
    const writes = [...given].map(([name, tensor]) => {
      const entry = entries.find((e) => e.name === name);
      if (!entry) throw new ConfigError('Sequential.setParameters', `unknown tensor "${name}"`, `The model's tensors: ${entries.map((e) => e.name).join(', ')}.`);
      const i64 = entry.spec.dtype === 'i64';
      if (tensor.shape.join() !== entry.spec.shape.join() || tensor.shape.length !== entry.spec.shape.length || tensor.data.length !== entry.size) {
        throw new ShapeError(`Sequential.setParameters "${name}"`, tensor.shape, `[${entry.spec.shape.join(', ')}]`);
      }
      if (i64 !== tensor.data instanceof BigInt64Array) {
        throw new ConfigError(`Sequential.setParameters "${name}"`, `the data is a ${tensor.data.constructor.name}`, `Give a ${i64 ? 'BigInt64Array' : 'Float32Array'}.`);
      }
      return { entry, data: tensor.data };
    });
    for (const { entry, data } of writes) this.engine.write(entry.spec.role === 'parameter' ? this.params : this.buffers, entry.offset * 4, data);
  }

  /** A table of layers, output shapes and parameter counts. */
  summary(): string {
    const rows = this.layers.map((l, i) => {
      // Its own parameters and those of the layers inside it, whose names nest under its name.
      const params = this.layout.parameters.filter((e) => e.name.startsWith(`${l.name}.`)).reduce((a, e) => a + e.size, 0);
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
    await this.state.release();
    await this.inference.settled();
    for (const plan of await Promise.allSettled(this.plans.values())) if (plan.status === 'fulfilled') plan.value.dispose();
    this.memory.dispose();
  }
}

/** fit and evaluate take a Dataset: arrays must be uploaded first, once, so that every epoch reuses them. */
function checkDatasetArgument(where: string, dataset: unknown): void {
  if (!(dataset instanceof Dataset)) {
    const given = dataset === null ? 'null' : typeof dataset === 'object' ? `a ${(dataset as object).constructor?.name ?? 'plain object'}` : typeof dataset;
    throw new ConfigError(where, `the dataset is ${given}`, 'Pass a Dataset: Dataset.upload(engine, { samples, labels, sampleShape }).');
  }
}

/** The largest per-sample activation of `layers`, the layers inside containers included. */
function largestActivation(layers: readonly Layer[], shapes: readonly (readonly number[])[]): { floats: number; layer: string } {
  let largest = { floats: shapes[0].reduce((a, b) => a * b, 1), layer: 'the input' };
  const visit = (layer: Layer, input: readonly number[]) => {
    const floats = layer.outputShape(input).reduce((a, b) => a * b, 1);
    if (floats > largest.floats) largest = { floats, layer: `${layer.kind} "${layer.name}"` };
    for (const child of layer.children(input)) visit(child.layer, child.input);
  };
  layers.forEach((layer, i) => visit(layer, shapes[i]));
  return largest;
}

/** One buffer's values out of the words of the model's buffer of buffers. */
function bufferData(entry: TensorEntry, words: ArrayBuffer): Float32Array | BigInt64Array {
  return entry.spec.dtype === 'i64'
    ? new BigInt64Array(words.slice(entry.offset * 4, (entry.offset + entry.words) * 4))
    : new Float32Array(words.slice(entry.offset * 4, (entry.offset + entry.size) * 4));
}
