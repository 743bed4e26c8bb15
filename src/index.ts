// The public API: an engine on a WebGPU device, layers, a sequential model, optimizers, datasets.
export { Engine, describeAdapter, type AdapterDescription, type EngineFeatures, type EngineOptions } from './gpu/engine';
export {
  EngineError, ConfigError, ShapeError, NoAdapterError, KernelError, DeviceLostError, NonFiniteLossError, DisposedError,
  DatasetTooLargeError,
} from './gpu/errors';
export { Conv2d, type Conv2dOptions } from './layers/conv2d';
export { Linear, type LinearOptions } from './layers/linear';
export { MaxPool2d, type MaxPool2dOptions } from './layers/maxpool2d';
export { AvgPool2d, type AvgPool2dOptions } from './layers/avgpool2d';
export { type PoolingWindowOptions } from './layers/pooling_window';
export { ReLU } from './layers/relu';
export { Sigmoid } from './layers/sigmoid';
export { Tanh } from './layers/tanh';
export { LeakyReLU, type LeakyReLUOptions } from './layers/leaky_relu';
export { ELU, type ELUOptions } from './layers/elu';
export { GELU, type GELUOptions } from './layers/gelu';
export { SiLU } from './layers/silu';
export { Hardswish } from './layers/hardswish';
export { Softmax, type SoftmaxOptions } from './layers/softmax';
export { Dropout, type DropoutOptions } from './layers/dropout';
export { AdaptiveAvgPool2d, type AdaptiveAvgPool2dOptions } from './layers/adaptive_avg_pool2d';
export { AdaptiveMaxPool2d, type AdaptiveMaxPool2dOptions } from './layers/adaptive_max_pool2d';
export { type AdaptiveOutputSize } from './layers/adaptive_output_size';
export { Flatten, type FlattenOptions } from './layers/flatten';
export { BatchNorm2d, type BatchNorm2dOptions } from './layers/batchnorm2d';
export { BatchNorm1d, type BatchNorm1dOptions } from './layers/batchnorm1d';
export { BatchNorm, type BatchNormOptions } from './layers/batchnorm';
export { Residual, type ResidualOptions } from './layers/residual';
export {
  Layer, NO_FUSION, uniformFanIn,
  type Activation, type BuildContext, type Chain, type Fusion, type Initializer, type RecordedLayer, type TensorSpec,
} from './layers/layer';
export { Kernel, BoundKernel, KernelRegistry, type BufferSlice, type Resource, type Stage, type Constants } from './gpu/kernel';
export { BufferGroup } from './gpu/buffer_group';
export { Sequential, type SequentialOptions, type Tensor, type BufferTensor } from './model';
export type { ModelInfo } from './model_info';
export type { Evaluation, EvaluateOptions, PredictOptions } from './inference';
export type { ClassScore, ClassifyInput, ClassifyOptions } from './classify';
export { lastHiddenLayer, type HiddenLayer } from './last_hidden_layer';
export type { FitOptions, FitResult, TrainingLog, Progress } from './trainer';
export type { StepsPerSubmit } from './step_submitter';
export type { TrainingRun } from './training_state';
export { learningRates, type ScheduleName } from './optim/schedule';
export { Adam, AdamW, type AdamOptions } from './optim/adam';
export { type ParamGroup } from './optim/param_groups';
export { SGD, type SgdOptions } from './optim/sgd';
export { Optimizer } from './optim/optimizer';
export { Dataset, type DatasetSource } from './data/dataset';
export { normalizeSample, type Normalization } from './data/normalize';
export { parseAugment, type AugmentOptions } from './data/augment';
export { parseIdx, IdxError, type IdxFile, type IdxDtype, type IdxData } from './data/idx';
export { loadMnist, type Mnist, type MnistSplit } from './data/mnist';
export { Random } from './random';
export { type RgbaImage } from './images/rgba_image';
export { ImageError, ImageFolderError, type ImageErrorReason, type ImageFolderErrorReason } from './images/errors';
export { inspectImage, MAX_IMAGE_SIDE, MAX_IMAGE_PIXELS, type ImageHeader } from './images/inspect';
export { imageToSample, isGrayscale, type SampleFormat } from './images/to_sample';
export { imageFromSource, type ImageSource } from './images/browser_source';
export { imageFolderFromFiles } from './images/image_folder_browser';
export { type ImageFolderData, type ImageFolderOptions } from './images/image_folder';
export { stratifiedSplit, subset, type SplitOptions } from './images/split';
export { referenceCnn, type ReferenceCnnOptions } from './reference_cnn';
export { smallResNet, type SmallResNetOptions } from './small_resnet';
export { CheckpointError, type CheckpointErrorReason } from './io/errors';
export { encodeSafetensors, decodeSafetensors, readFloat32, readInt64, type FloatTensor, type WritableTensor, type SafetensorsFile, type TensorEntry } from './io/safetensors';
export { saveWeights, loadWeights, saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, type LoadOptions } from './io/checkpoint';
export { readModelInfo, MODEL_METADATA_KEYS, type SavedModelInfo } from './io/model_metadata';
// What engine.autotune and profileTrainingStep hand back, and the opt-in store for kernel choices.
export { localStorageStore, type Autotuner, type TuningStore, type TuningDecision } from './gpu/autotune';
export type { StageTime } from './profiler';
export { downloadBytes, storeBytes, loadStoredBytes, deleteStoredBytes, storeCheckpoint, loadStoredCheckpoint } from './io/checkpoint_browser';

import { Engine, type EngineOptions } from './gpu/engine';
/** Opens the browser's WebGPU (or `options.gpu`). In Node, use createNodeEngine from "./node". */
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}
