// The one error a checkpoint or weights file can give: every file is untrusted input, so each way it can
// be wrong has its own reason, and nothing of the model changes when one is thrown.
import { EngineError } from '../gpu/errors';

export type CheckpointErrorReason =
  /** The file ends before its header length, its header or its data do. */
  | 'truncated'
  /** The declared header length is over the limit (100 MB, as in the reference reader). */
  | 'header-too-large'
  /** The declared header length runs past the end of the file. */
  | 'header-out-of-bounds'
  /** The header is not UTF-8 JSON. */
  | 'header-not-json'
  /** The header is JSON, but not an object. */
  | 'header-not-object'
  /** A tensor name appears twice in the header. */
  | 'duplicate-name'
  /** A header entry that is not { dtype, shape, data_offsets } with values of those types. */
  | 'bad-entry'
  /** A dtype that safetensors does not define. */
  | 'unknown-dtype'
  /** A dtype safetensors defines but this engine does not load (it loads F32). */
  | 'unsupported-dtype'
  /** A shape whose element or byte count exceeds what can be addressed, or offsets that large. */
  | 'size-overflow'
  /** A tensor's offsets span a different number of bytes than its shape and dtype need. */
  | 'size-mismatch'
  /** A tensor's end offset is before its start. */
  | 'offsets-reversed'
  /** Two tensors share bytes. */
  | 'offsets-overlap'
  /** Bytes that belong to no tensor between tensors (or before the first). */
  | 'offsets-gap'
  /** Bytes after the last tensor. */
  | 'trailing-bytes'
  /** __metadata__ is not a map of strings, or a checkpoint's own fields are missing or invalid. */
  | 'bad-metadata'
  /** The file's description of its model (webgpu_cnn.* metadata) contradicts the model: another input shape, another number of classes, a normalisation for other channels. */
  | 'metadata-mismatch'
  /** loadCheckpoint was given a file without optimizer state (a weights file). */
  | 'not-a-checkpoint'
  /** The checkpoint holds another optimizer's state than the model was compiled with. */
  | 'optimizer-mismatch'
  /** The model has a parameter (or optimizer state) the file lacks. */
  | 'missing-tensor'
  /** The file has a tensor the model does not. */
  | 'unexpected-tensor'
  /** A tensor's shape differs from the model's parameter. */
  | 'shape-mismatch'
  /** A value is NaN or infinite. */
  | 'not-finite';

/** A weights or checkpoint file that cannot be loaded: `reason` says which way it is wrong. */
export class CheckpointError extends EngineError {
  static {
    this.prototype.name = 'CheckpointError';
  }

  constructor(
    readonly reason: CheckpointErrorReason,
    readonly detail: string,
    /** The file, where known. */
    readonly source?: string,
    /** The tensor concerned, where there is one. */
    readonly tensor?: string,
  ) {
    super(`${source ?? 'checkpoint'}: ${detail} (${reason})`);
  }
}
