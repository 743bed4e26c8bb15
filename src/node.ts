// The Node entry point: everything in index.ts, plus an engine that finds an adapter through Dawn.
export * from './index';
export { createNodeEngine, type NodeEngineOptions, type AdapterChoice } from './gpu/node_host';
export { fileTuningStore, defaultTuningFile } from './gpu/node_tuning_store';
export { loadMnistFromPackage, loadMnistFromDirectory } from './data/mnist_node';
export { saveCheckpointFile, loadCheckpointFile, saveWeightsFile, loadWeightsFile, writeFileAtomic } from './io/checkpoint_node';
export { decodeImage } from './images/decode_node';
export { loadImageFolder } from './images/image_folder_node';
export { encodePng, type PngPixels } from './images/png_encode';
