// The public API: an engine on a WebGPU device, layers, a sequential model, optimizers, datasets.
export { Engine, describeAdapter, type AdapterDescription, type EngineOptions } from './gpu/engine';
export {
  EngineError, ConfigError, ShapeError, NoAdapterError, KernelError, DeviceLostError, NonFiniteLossError, DisposedError,
} from './gpu/errors';
export { Conv2d, type Conv2dOptions } from './layers/conv2d';
export { Linear, type LinearOptions } from './layers/linear';
export { MaxPool2d, type MaxPool2dOptions } from './layers/maxpool2d';
export { ReLU } from './layers/relu';
export { Flatten } from './layers/flatten';
export { Layer } from './layers/layer';
export { Sequential, type SequentialOptions, type Tensor, type Evaluation, type EvaluateOptions } from './model';
export type { FitOptions, FitResult, TrainingLog, Progress } from './trainer';
export { Adam, type AdamOptions } from './optim/adam';
export { SGD, type SgdOptions } from './optim/sgd';
export { Optimizer } from './optim/optimizer';
export { Dataset, type DatasetSource } from './data/dataset';
export { parseIdx, IdxError, type IdxFile, type IdxDtype, type IdxData } from './data/idx';
export { loadMnist, type Mnist, type MnistSplit } from './data/mnist';
export { Random } from './random';
export { referenceCnn } from './reference_cnn';
export type { TrainingRun } from './trainer';
export { CheckpointError, type CheckpointErrorReason } from './io/errors';
export { encodeSafetensors, decodeSafetensors, readFloat32, type FloatTensor, type SafetensorsFile, type TensorEntry } from './io/safetensors';
export { saveWeights, loadWeights, saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type LoadOptions } from './io/checkpoint';
// What engine.autotune and profileTrainingStep hand back, and the opt-in store for kernel choices.
export { localStorageStore, type Autotuner, type TuningStore, type TuningDecision } from './gpu/autotune';
export type { StageTime } from './profiler';
export { downloadBytes, storeBytes, loadStoredBytes, deleteStoredBytes, storeCheckpoint, loadStoredCheckpoint } from './io/checkpoint_browser';

import { Engine, type EngineOptions } from './gpu/engine';
/** Opens the browser's WebGPU (or `options.gpu`). In Node, use createNodeEngine from "./node". */
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}
