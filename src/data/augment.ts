// Augmentation options for fit(): what torchvision's transforms would do to each training image, done by
// the batch gather on the GPU (shaders/gather_batch.wgsl), in this order, as the pipeline
//   RandomAffine(degrees=rotate, translate=(translate, translate), scale=(1 − scale, 1 + scale), fill=0)
//   → RandomCrop((H, W), padding=crop, fill=0) → RandomHorizontalFlip(p=0.5) → ToTensor() → Normalize
// would apply them; the kernel's header gives the sampling conventions. This file checks the options,
// and reads and writes the command line's form of them ("crop=4,flip,rotate=10,scale=0.1,translate=0.1").
import { ConfigError } from '../gpu/errors';

export interface AugmentOptions {
  /** RandomCrop(size, padding=crop): pad every side with `crop` zero pixels, then crop back to H × W at a random offset. */
  crop?: number;
  /** RandomHorizontalFlip(p=0.5). */
  flip?: boolean;
  /** Rotation by an angle uniform in ±rotate degrees (RandomAffine's degrees). */
  rotate?: number;
  /** Zoom by a factor uniform in [1 − scale, 1 + scale] (RandomAffine's scale). */
  scale?: number;
  /** Shift by up to translate × W pixels across and translate × H down, rounded to whole pixels (RandomAffine's translate). */
  translate?: number;
}

/** Options with every field given, checked against an image shape. */
export type Augmentation = Required<AugmentOptions>;

const KEYS = ['crop', 'flip', 'rotate', 'scale', 'translate'] as const;

/** Checks `options` for samples of `sampleShape` ([C, H, W]); a ConfigError names the option and its valid range. */
export function checkAugment(where: string, options: unknown, sampleShape: readonly number[]): Augmentation {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(where, `augment is ${String(options)}`, `Give an object with any of: ${KEYS.join(', ')}.`);
  }
  const unknown = Object.keys(options).find((key) => !(KEYS as readonly string[]).includes(key));
  if (unknown !== undefined) throw new ConfigError(where, `augment has no option "${unknown}"`, `The options are: ${KEYS.join(', ')}.`);
  if (sampleShape.length !== 3) {
    throw new ConfigError(where, `augmentation needs images, and the samples have shape [${sampleShape.join(', ')}]`, 'Upload the dataset with sampleShape [channels, height, width].');
  }
  const [, height, width] = sampleShape;
  const given = options as AugmentOptions;
  const number = (key: 'crop' | 'rotate' | 'scale' | 'translate', low: number, high: number, upper: '<' | '≤', integer = false): number => {
    const value = given[key] ?? 0;
    const valid = typeof value === 'number' && value >= low && (upper === '<' ? value < high : value <= high) && (!integer || Number.isInteger(value));
    if (!valid) {
      throw new ConfigError(where, `augment.${key} is ${String(value)}`, `augment.${key} must be ${integer ? 'an integer' : 'a number'} with ${low} ≤ ${key} ${upper} ${high}.`);
    }
    return value;
  };
  const flip = given.flip ?? false;
  if (typeof flip !== 'boolean') throw new ConfigError(where, `augment.flip is ${String(flip)}`, 'augment.flip must be true or false.');
  return {
    // A padding as large as the image could crop nothing but padding.
    crop: number('crop', 0, Math.min(height, width), '<', true),
    flip,
    rotate: number('rotate', 0, 180, '≤'),
    scale: number('scale', 0, 1, '<'),
    translate: number('translate', 0, 1, '≤'),
  };
}

/** True when the options change nothing (then the gather runs as without them). */
export function isIdentity(augment: Augmentation): boolean {
  return augment.crop === 0 && !augment.flip && augment.rotate === 0 && augment.scale === 0 && augment.translate === 0;
}

/** The command line's form, "crop=4,flip,rotate=10,scale=0.1,translate=0.1", as options; a ConfigError says what is wrong. */
export function parseAugment(text: string): AugmentOptions {
  const where = '--augment';
  const valid = 'Write comma-separated options: crop=PIXELS, flip, rotate=DEGREES, scale=FRACTION, translate=FRACTION (e.g. crop=4,flip,rotate=10).';
  if (typeof text !== 'string' || text.trim() === '') throw new ConfigError(where, `the value is ${JSON.stringify(text)}`, valid);
  const options: Record<string, number | boolean> = {};
  for (const part of text.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (!(KEYS as readonly string[]).includes(key)) throw new ConfigError(where, `"${part.trim()}" is not an option`, valid);
    if (key in options) throw new ConfigError(where, `"${key}" is given twice`, valid);
    if (key === 'flip') {
      if (value !== undefined) throw new ConfigError(where, `"${part.trim()}": flip takes no value`, valid);
      options.flip = true;
      continue;
    }
    // Number('') is 0, so an empty value is refused before converting.
    const number = value === undefined || value.trim() === '' || rest.length ? NaN : Number(value);
    if (!Number.isFinite(number)) throw new ConfigError(where, `"${part.trim()}": ${key} needs a number, as in ${key}=${key === 'crop' ? 4 : key === 'rotate' ? 10 : 0.1}`, valid);
    options[key] = number;
  }
  return options as AugmentOptions;
}

/** The command line's form of `augment` (parseAugment's inverse), "none" when it changes nothing. */
export function formatAugment(augment: Augmentation): string {
  const parts = KEYS.filter((key) => augment[key]).map((key) => (key === 'flip' ? 'flip' : `${key}=${augment[key]}`));
  return parts.length ? parts.join(',') : 'none';
}
