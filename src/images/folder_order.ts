// The rules torchvision's ImageFolder uses to find classes and files, shared by the Node folder walker and
// the browser's dropped folders, so both give the same classes, files and order.
import { ImageError } from './errors';

/** Python's string order (by code point; JavaScript's default sort compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** torchvision's order of a class's files, `sorted(os.walk(class_dir))` then `sorted(fnames)`: by folder, then by name. */
export function sortPaths(paths: string[]): string[] {
  const split = (p: string) => [p.slice(0, Math.max(p.lastIndexOf('/'), 0)), p.slice(p.lastIndexOf('/') + 1)];
  return [...paths].sort((a, b) => {
    const [da, na] = split(a);
    const [db, nb] = split(b);
    return compareCodePoints(da, db) || compareCodePoints(na, nb);
  });
}

/** Hidden files and folders (".DS_Store", "._x.png", ".ipynb_checkpoints") are never classes or images. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/** What is decoded: PNG and JPEG, by extension, case-insensitive. */
const DECODED = ['.png', '.jpg', '.jpeg'];
/** The rest of torchvision's IMG_EXTENSIONS: pictures the user meant to include, so refused rather than skipped. */
const REFUSED = ['.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

/** True for a PNG or JPEG file name; false for a file torchvision would skip too (not a picture);
 *  throws ImageError for a picture in a format this engine does not decode. */
export function isImageFile(path: string): boolean {
  const lower = path.toLowerCase();
  if (DECODED.some((e) => lower.endsWith(e))) return true;
  if (REFUSED.some((e) => lower.endsWith(e))) {
    throw new ImageError(path, 'unsupported', `a ${lower.slice(lower.lastIndexOf('.'))} picture`, 'Image folders hold PNG and JPEG files (.png, .jpg, .jpeg); convert it to PNG or remove it');
  }
  return false;
}
