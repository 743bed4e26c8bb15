// The errors of image files and image folders: every file and folder is untrusted input, so each way it
// can be wrong has its own reason, and the message names the file and what would be valid.
import { EngineError } from '../gpu/errors';

export type ImageErrorReason =
  /** The bytes start with neither the PNG signature nor a JPEG start-of-image marker. */
  | 'not-an-image'
  /** A PNG or JPEG this engine does not decode (e.g. 12-bit, CMYK, arithmetic-coded or lossless JPEG), or an
   *  image format other than PNG and JPEG (a `.bmp`, `.webp`, … in an image folder). */
  | 'unsupported'
  /** A width or height of 0. */
  | 'zero-size'
  /** A side over MAX_IMAGE_SIDE or a pixel count over MAX_IMAGE_PIXELS. */
  | 'too-large'
  /** The file cannot be read (permissions, an I/O error). */
  | 'unreadable'
  /** The file ends before its header, or before its pixel data does. */
  | 'truncated'
  /** A header field, a chunk, the compressed data or a checksum is invalid. */
  | 'corrupt'
  /** An RgbaImage whose data length is not width × height × 4, or a bad target size. */
  | 'bad-image';

/** An image file (or decoded image) that cannot be used: `reason` says which way it is wrong. */
export class ImageError extends EngineError {
  static {
    this.prototype.name = 'ImageError';
  }

  constructor(
    /** The file name or path, as the caller gave it. */
    readonly source: string,
    readonly reason: ImageErrorReason,
    readonly problem: string,
    readonly valid: string,
  ) {
    super(`${source}: ${problem}. ${valid} (${reason})`);
  }
}

export type ImageFolderErrorReason =
  /** The folder does not exist or is not a folder. */
  | 'missing-folder'
  /** No class sub-folders (or, in the browser, no files with a class folder in their path). */
  | 'no-classes'
  /** Only one class: a classifier needs at least two. */
  | 'one-class'
  /** A class folder holds no image file. */
  | 'empty-class'
  /** The images do not share one size and no target size was given. */
  | 'mixed-sizes'
  /** Options that cannot work (a bad imageSize or channels). */
  | 'bad-option';

/** An image folder (torchvision's ImageFolder layout) that cannot be loaded as a dataset. */
export class ImageFolderError extends EngineError {
  static {
    this.prototype.name = 'ImageFolderError';
  }

  constructor(
    /** The folder (a path in Node; the dropped folder's name or "files" in a browser). */
    readonly folder: string,
    readonly reason: ImageFolderErrorReason,
    readonly problem: string,
    readonly valid: string,
  ) {
    super(`${folder}: ${problem}. ${valid} (${reason})`);
  }
}
