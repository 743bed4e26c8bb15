// A model's description (ModelInfo) in a safetensors file's __metadata__, whose values must be strings:
// the network's name as it is, the input shape, the class names and the normalisation as JSON. Written
// only when the model has a description, so a PyTorch state_dict loaded and saved again keeps its bytes;
// a file without these keys (PyTorch's own) loads and leaves the model's description as it was. Read as
// untrusted input: strict JSON, exact types, no unknown key of the namespace, and checked against the
// model before anything of it is used.
import { checkModelInfo, type InfoFail, type ModelInfo } from '../model_info';
import { CheckpointError } from './errors';
import { decodeSafetensors } from './safetensors';
import { JsonSyntaxError, parseStrictJson, type JsonValue } from './strict_json';

/** The __metadata__ keys of a model's description; README "What a file says about its model" lists them. */
export const MODEL_METADATA_KEYS = {
  network: 'webgpu_cnn.network',
  inputShape: 'webgpu_cnn.input_shape',
  classes: 'webgpu_cnn.classes',
  normalize: 'webgpu_cnn.normalize',
} as const;
const NAMESPACE = 'webgpu_cnn.';
const KNOWN = Object.values(MODEL_METADATA_KEYS) as string[];

/** A description as a file holds it: the model's, plus the input shape it was built for. */
export interface SavedModelInfo extends ModelInfo {
  inputShape?: readonly number[];
}

/** Bounds on a described input shape, so that rebuilding a network from a hostile file cannot ask for an absurd model. */
const MAX_RANK = 8;
const MAX_INPUT_VALUES = 2 ** 26;

/** The __metadata__ entries of `info` for a model whose input is `inputShape`; none when `info` is empty. */
export function modelMetadata(info: Readonly<ModelInfo>, inputShape: readonly number[]): Record<string, string> {
  if (info.network === undefined && info.classes === undefined && info.normalize === undefined) return {};
  const metadata: Record<string, string> = { [MODEL_METADATA_KEYS.inputShape]: JSON.stringify(inputShape) };
  if (info.network !== undefined) metadata[MODEL_METADATA_KEYS.network] = info.network;
  if (info.classes !== undefined) metadata[MODEL_METADATA_KEYS.classes] = JSON.stringify(info.classes);
  if (info.normalize !== undefined) metadata[MODEL_METADATA_KEYS.normalize] = JSON.stringify({ mean: info.normalize.mean, std: info.normalize.std });
  return metadata;
}

/**
 * The description in a safetensors file's bytes (only the header is read), or undefined when it has none
 * (a PyTorch state_dict): what a tool needs to rebuild the network before loading its weights.
 * Malformed values throw CheckpointError 'bad-metadata'.
 */
export function readModelInfo(bytes: Uint8Array, options: { source?: string } = {}): SavedModelInfo | undefined {
  return modelInfoFromMetadata(decodeSafetensors(bytes, options.source).metadata, options.source);
}

/** The description in decoded __metadata__, checked for types and ranges only (not against a model). */
export function modelInfoFromMetadata(metadata: Readonly<Record<string, string>>, source?: string): SavedModelInfo | undefined {
  const fail = (problem: string, valid: string): never => {
    throw new CheckpointError('bad-metadata', `__metadata__: ${problem}. ${valid}`, source);
  };
  const keys = Object.keys(metadata).filter((k) => k.startsWith(NAMESPACE));
  if (keys.length === 0) return undefined;
  const unknown = keys.filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) fail(`it has ${unknown.map((k) => `"${k}"`).join(', ')}`, `This version reads ${KNOWN.join(', ')}.`);
  const json = (key: string): unknown => {
    try {
      return plain(parseStrictJson(metadata[key]));
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      return fail(`"${key}" is not JSON (${e.message})`, 'The value must be JSON text.');
    }
  };
  const info: Record<string, unknown> = {};
  if (metadata[MODEL_METADATA_KEYS.network] !== undefined) info.network = metadata[MODEL_METADATA_KEYS.network];
  if (metadata[MODEL_METADATA_KEYS.classes] !== undefined) info.classes = json(MODEL_METADATA_KEYS.classes);
  if (metadata[MODEL_METADATA_KEYS.normalize] !== undefined) info.normalize = json(MODEL_METADATA_KEYS.normalize);
  const checked = checkModelInfo(info, undefined, (_, problem, valid) => fail(problem, valid));
  const inputShape = MODEL_METADATA_KEYS.inputShape in metadata ? checkInputShape(json(MODEL_METADATA_KEYS.inputShape), fail) : undefined;
  return inputShape ? { ...checked, inputShape } : { ...checked };
}

function checkInputShape(shape: unknown, fail: (problem: string, valid: string) => never): number[] {
  const valid = `Give 1 to ${MAX_RANK} positive integers, at most ${MAX_INPUT_VALUES} values in all, e.g. [3, 32, 32].`;
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > MAX_RANK || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    return fail(`"${MODEL_METADATA_KEYS.inputShape}" is ${JSON.stringify(shape)}`, valid);
  }
  if ((shape as number[]).reduce((a, b) => a * b, 1) > MAX_INPUT_VALUES) fail(`"${MODEL_METADATA_KEYS.inputShape}" [${shape.join(', ')}] holds too many values`, valid);
  return shape as number[];
}

/** The description of a file for `model`'s input shape and output; undefined when the file has none. */
export function modelInfoForModel(
  metadata: Readonly<Record<string, string>>,
  target: { inputShape: readonly number[]; classes: number | undefined },
  source?: string,
): Readonly<ModelInfo> | undefined {
  const saved = modelInfoFromMetadata(metadata, source);
  if (!saved) return undefined;
  const { inputShape, ...info } = saved;
  const fail: InfoFail = (kind, problem, valid) => {
    throw new CheckpointError(kind === 'mismatch' ? 'metadata-mismatch' : 'bad-metadata', `__metadata__: ${problem}. ${valid}`, source);
  };
  if (inputShape !== undefined && (inputShape.length !== target.inputShape.length || inputShape.join() !== target.inputShape.join())) {
    fail('mismatch', `the file is for input shape [${inputShape.join(', ')}], this model's is [${target.inputShape.join(', ')}]`, 'Load it into a model built for that shape.');
  }
  return checkModelInfo(info, target, fail);
}

/** Strict JSON's Maps as plain objects (with no prototype, so no key is special), for the checks above. */
function plain(value: JsonValue): unknown {
  if (value instanceof Map) return Object.assign(Object.create(null) as object, Object.fromEntries([...value].map(([k, v]) => [k, plain(v)])));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}
