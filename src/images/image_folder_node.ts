// torchvision's ImageFolder in Node: one sub-folder per class (sorted by name), every PNG and JPEG under
// it, in sub-folders too (symbolic links followed, as os.walk(followlinks=True) does), decoded with pngjs
// and jpeg-js.
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeImage } from './decode_node';
import { ImageError, ImageFolderError } from './errors';
import { compareCodePoints, isHidden, isImageFile, sortPaths } from './folder_order';
import { assembleImageFolder, type FolderFile, type ImageFolderData, type ImageFolderOptions } from './image_folder';

/** Loads an image folder as one dataset's bytes and labels (see ImageFolderOptions for the defaults). */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderData> {
  const isFolder = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isFolder) {
    throw new ImageFolderError(dir, 'missing-folder', 'no such folder', 'Give a folder that holds one sub-folder of images per class');
  }
  const classes: string[] = [];
  for (const entry of await readdir(dir)) {
    if (!isHidden(entry) && (await stat(join(dir, entry)).then((s) => s.isDirectory(), () => false))) classes.push(entry);
  }
  classes.sort(compareCodePoints);
  const files: FolderFile[] = [];
  for (const [label, name] of classes.entries()) {
    const paths = sortPaths(await imagesUnder(dir, name, new Set()));
    for (const path of paths) files.push({ label, path, source: join(dir, path), read: () => readBytes(join(dir, path)) });
  }
  return assembleImageFolder(dir, classes, files, decodeImage, options);
}

/** The image files under `dir/relative`, as paths relative to `dir` with "/" separators. */
async function imagesUnder(dir: string, relative: string, visited: Set<string>): Promise<string[]> {
  const real = await realpath(join(dir, relative));
  if (visited.has(real)) return []; // a link back up the tree
  visited.add(real);
  const found: string[] = [];
  for (const entry of await readdir(join(dir, relative))) {
    if (isHidden(entry)) continue;
    const path = `${relative}/${entry}`;
    const info = await stat(join(dir, path)).catch(() => undefined); // a dangling link is skipped
    if (info?.isDirectory()) found.push(...(await imagesUnder(dir, path, visited)));
    else if (info?.isFile() && isImageFile(join(dir, path))) found.push(path);
  }
  return found;
}

async function readBytes(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new ImageError(path, 'unreadable', `the file cannot be read (${error.code ?? error.message})`, 'Make the file readable, or remove it from the folder');
  });
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
