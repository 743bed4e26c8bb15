// One model and its training run, inside the worker. A run is a number of steps; pausing aborts the
// fit, and resuming starts a new fit for the steps left (the model keeps its weights and step count).
import { Adam, Dataset, loadWeights, saveWeights, type Engine, type Sequential } from '../src/index';
import type { Mnist } from '../src/data/mnist';
import { NETWORKS, type NetworkName } from './networks';
import { softmax } from './softmax';
import { MAP_IMAGES, type FromWorker, type RunState, type TrainSettings } from './protocol';

const SAMPLE_SHAPE = [1, 28, 28];
const SIDE = 28 * 28;
/** At most this many progress messages a second: a fast GPU takes hundreds of steps a second. */
const PROGRESS_HZ = 10;

interface Run {
  settings: TrainSettings;
  stepsPerEpoch: number;
  total: number;
  done: number;
  /** Fits so far in this run; seeds each resume's shuffle, so a resume does not replay the first batches. */
  fits: number;
}

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

export class Session {
  private model: Sequential;
  private network: NetworkName = 'reference';
  private seed = 0;
  private readonly test: Dataset;
  private trainSet: Dataset | undefined;
  private run: Run | undefined;
  private controller: AbortController | undefined;
  private state: RunState = 'ready';
  /** Test images for the accuracy at the end of a run or a load. */
  private finalImages = Infinity;

  constructor(
    private readonly engine: Engine,
    private readonly mnist: Mnist,
    private readonly post: Post,
  ) {
    this.model = NETWORKS[this.network].build(engine, this.seed);
    this.test = Dataset.upload(engine, { samples: mnist.test.images, labels: mnist.test.labels, sampleShape: SAMPLE_SHAPE, name: 'test' });
  }

  announce(state: RunState = this.state): void {
    this.state = state;
    this.post({ type: 'state', state, modelSteps: this.model.step, network: this.network });
  }

  /** Starts a run of `settings`, or resumes the paused one (whose settings stay). */
  async train(settings: TrainSettings): Promise<void> {
    if (!this.run) {
      // Another network chosen: a fresh model of it (a paused run keeps its own).
      if (settings.network !== this.network) await this.rebuild(settings.network);
      this.run = this.newRun(settings);
    }
    this.finalImages = this.run.settings.testImages;
    const run = this.run;
    const { batchSize, evalEvery, evalImages } = run.settings;
    const controller = (this.controller = new AbortController());
    const signal = controller.signal;
    const before = run.done;
    let lastProgress = 0;
    this.announce('training');
    const result = await this.model.fit(this.trainSet!, {
      epochs: Math.ceil((run.total - run.done) / run.stepsPerEpoch),
      batchSize,
      seed: run.fits++,
      logEvery: evalEvery,
      signal,
      onProgress: (p) => {
        run.done = before + p.step;
        if (signal.reason === 'stop') return;
        // Whole epochs per fit: a resumed run stops itself when the steps left are done.
        if (run.done >= run.total) controller.abort('done');
        const now = performance.now();
        if (now - lastProgress < 1000 / PROGRESS_HZ && run.done < run.total) return;
        lastProgress = now;
        const perStep = p.elapsedSeconds / p.step;
        this.post({
          type: 'progress', step: run.done, totalSteps: run.total, epoch: Math.min(Math.floor(run.done / run.stepsPerEpoch) + 1, run.settings.epochs),
          epochs: run.settings.epochs, samplesPerSecond: p.samplesPerSecond, etaSeconds: perStep * (run.total - run.done),
        });
      },
      onLog: async (log) => {
        if (signal.reason === 'stop') return; // a reset: this model's curves are gone
        if (signal.reason === 'pause') return this.post({ type: 'log', step: log.step, loss: log.loss });
        const evaluation = evalImages > 0 ? await this.model.evaluate(this.test, { limit: evalImages, predictions: true }) : undefined;
        const predictions = evaluation?.predictions;
        this.post({ type: 'log', step: log.step, loss: log.loss, accuracy: evaluation?.accuracy, predictions }, predictions ? [predictions.buffer] : []);
      },
    }).catch((error: unknown) => {
      // A failed run (a non-finite loss, a lost device) cannot be resumed; the model can still train anew.
      this.run = undefined;
      this.announce('ready');
      throw error;
    }).finally(() => {
      if (this.controller === controller) this.controller = undefined;
    });
    if (signal.reason === 'stop') return;
    if (result.stopped && run.done < run.total) return this.announce('paused');
    this.run = undefined;
    await this.finish();
  }

  private newRun(settings: TrainSettings): Run {
    const images = Math.min(settings.trainImages, this.mnist.train.count);
    if (this.trainSet?.count !== images) {
      this.trainSet?.dispose();
      this.trainSet = Dataset.upload(this.engine, {
        samples: this.mnist.train.images.subarray(0, images * SIDE),
        labels: this.mnist.train.labels.subarray(0, images),
        sampleShape: SAMPLE_SHAPE,
        name: `train ${images}`,
      });
    }
    // A new run starts the optimizer afresh (Adam's moments belong to one run's learning rate).
    this.model.compile({ optimizer: new Adam({ lr: settings.learningRate }) });
    const batchSize = Math.min(settings.batchSize, images);
    const stepsPerEpoch = Math.floor(images / batchSize);
    return { settings: { ...settings, batchSize }, stepsPerEpoch, total: settings.epochs * stepsPerEpoch, done: 0, fits: 0 };
  }

  pause(): void {
    this.controller?.abort('pause');
    if (this.controller) this.announce('pausing');
  }

  /** Ends any fit for good (before a reset). */
  stop(): void {
    this.controller?.abort('stop');
  }

  async reset(): Promise<void> {
    this.run = undefined;
    await this.rebuild(this.network);
    this.announce('ready');
  }

  /** Replaces the model by a new `network` with fresh weights. */
  private async rebuild(network: NetworkName): Promise<void> {
    await this.model.dispose();
    this.network = network;
    this.model = NETWORKS[network].build(this.engine, ++this.seed);
  }

  /** Accuracy on the test images (all, unless the settings say fewer), and the hidden features of the first MAP_IMAGES for the map. */
  private async finish(): Promise<void> {
    this.announce('evaluating');
    try {
      const evaluation = await this.model.evaluate(this.test, { predictions: true, limit: this.finalImages });
      const predictions = evaluation.predictions!;
      this.post({ type: 'final', accuracy: evaluation.accuracy, correct: evaluation.correct, count: evaluation.count, predictions }, [predictions.buffer]);
      const layer = NETWORKS[this.network].mapLayer;
      const hidden = await this.model.predict(this.mnist.test.images.subarray(0, MAP_IMAGES * SIDE), { layer });
      this.post({ type: 'features', features: hidden.data, dim: hidden.shape.slice(1).reduce((a, b) => a * b, 1), count: hidden.shape[0], layer }, [hidden.data.buffer]);
    } finally {
      this.announce('ready');
    }
  }

  /** Class probabilities for one 28×28 image of bytes (softmax of the logits). */
  async predict(id: number, pixels: Uint8Array): Promise<void> {
    const { data } = await this.model.predict(pixels);
    this.post({ type: 'prediction', id, probabilities: softmax(data) });
  }

  /** The weights as safetensors, with PyTorch's names: the same file loads in PyTorch and in `npm run eval`. */
  async save(): Promise<void> {
    const bytes = (await saveWeights(this.model)).slice().buffer;
    this.post({ type: 'checkpoint', bytes }, [bytes]);
  }

  /** Any safetensors file of the chosen network's weights (ours, a checkpoint, or PyTorch's). */
  async load(bytes: ArrayBuffer, name: string, network: NetworkName): Promise<void> {
    if (network !== this.network) await this.rebuild(network);
    await loadWeights(this.model, new Uint8Array(bytes), { source: name });
    this.run = undefined;
    await this.finish();
  }
}
