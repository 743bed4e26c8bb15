// The user's pictures on the "Your images" page: decoded by the browser (imageFromSource), kept as RGBA at
// most MAX_SIDE pixels on a side, shown as thumbnails, and turned into samples of the chosen size and
// channels (imageToSample, the engine's one resize filter) when a run starts.
import { imageFromSource, imageToSample, isGrayscale, type ImageSource, type RgbaImage } from '../src/index';
import { compareCodePoints, isHidden, isImageFile, sortPaths } from '../src/images/folder_order';

/** Larger pictures (a phone photo) are scaled down once when added: no sample is bigger than this. */
export const MAX_SIDE = 256;

export interface Picture {
  /** The file name, or "camera 3". */
  name: string;
  image: RgbaImage;
}

/** `image` scaled down (with imageToSample's filter) so that its larger side is at most MAX_SIDE. */
function shrink(image: RgbaImage, name: string): RgbaImage {
  const side = Math.max(image.width, image.height);
  if (side <= MAX_SIDE) return image;
  const width = Math.max(1, Math.round((image.width * MAX_SIDE) / side));
  const height = Math.max(1, Math.round((image.height * MAX_SIDE) / side));
  const planes = imageToSample(image, { width, height, channels: 3 }, name);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([planes[i], planes[width * height + i], planes[2 * width * height + i], 255], 4 * i);
  return { width, height, data };
}

export async function decodePicture(source: ImageSource, name: string): Promise<Picture> {
  return { name, image: shrink(await imageFromSource(source, name), name) };
}

/** Decodes every file; the ones that cannot be read are named in `failed` (with the reason), the rest kept. */
export async function decodeFiles(files: Iterable<File>): Promise<{ pictures: Picture[]; failed: string[] }> {
  const pictures: Picture[] = [];
  const failed: string[] = [];
  for (const file of files) {
    try {
      pictures.push(await decodePicture(file, file.name));
    } catch (error) {
      failed.push(error instanceof Error ? error.message : `${file.name}: ${String(error)}`);
    }
  }
  return { pictures, failed };
}

/** A file and its path inside what was dropped or picked ("shapes/circle/0001.png"). */
export interface FolderFile {
  path: string;
  file: File;
}

/**
 * Files of dropped or picked folders by class, with torchvision's ImageFolder rules (folder_order.ts):
 * the class is the folder a file is in under the dropped one ("root/class/…/x.png"); pictures dropped
 * in a folder of their own ("class/x.png") take that folder's name. Hidden files and folders and files
 * that are not pictures are skipped; classes sorted by name, files in torchvision's order. Pictures in
 * formats that are not decoded (.bmp, .webp, …) are listed in `refused`; `loose` counts files in no folder.
 */
export function groupByClass(files: FolderFile[]): { classes: Map<string, File[]>; refused: string[]; loose: number } {
  const byClass = new Map<string, Map<string, File>>();
  const refused: string[] = [];
  let loose = 0;
  for (const { path, file } of files) {
    const parts = path.split('/');
    if (parts.some(isHidden)) continue;
    // A picture dropped on its own, in no folder: it belongs to no class.
    if (parts.length < 2) {
      loose++;
      continue;
    }
    try {
      if (!isImageFile(path)) continue;
    } catch (error) {
      refused.push(error instanceof Error ? error.message : path);
      continue;
    }
    const name = parts.length === 2 ? parts[0] : parts[1];
    if (!byClass.has(name)) byClass.set(name, new Map());
    byClass.get(name)!.set(path, file);
  }
  const classes = new Map<string, File[]>();
  for (const name of [...byClass.keys()].sort(compareCodePoints)) {
    const members = byClass.get(name)!;
    classes.set(name, sortPaths([...members.keys()]).map((p) => members.get(p)!));
  }
  return { classes, refused, loose };
}

/** Every file under the dropped items, with its path, walking folders (webkitGetAsEntry). */
export async function droppedFiles(items: DataTransferItemList): Promise<FolderFile[]> {
  // Read at once: the items are only readable during the drop event. An item without an entry (a
  // browser without webkitGetAsEntry, a drop made by a script) is taken as a file on its own.
  const dropped = [...items].filter((item) => item.kind === 'file').map((item) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() }));
  const out: FolderFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      out.push({ path, file: await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)) });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries gives a folder's entries in batches (100 in Chromium) until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, path);
    }
  };
  for (const { entry, file } of dropped) {
    if (entry) await walk(entry, '');
    else if (file) out.push({ path: file.name, file });
  }
  return out;
}

/** The samples of `pictures` at `size` × `size`: channels 1 when asked, or when 'auto' and every picture is gray; else 3. */
export function toSamples(pictures: Picture[], size: number, channels: 'auto' | 1 | 3): { samples: Uint8Array; channels: 1 | 3 } {
  const chosen = channels === 'auto' ? (pictures.every((p) => isGrayscale(p.image)) ? 1 : 3) : channels;
  const bytes = chosen * size * size;
  const samples = new Uint8Array(pictures.length * bytes);
  pictures.forEach((p, i) => samples.set(imageToSample(p.image, { width: size, height: size, channels: chosen }, p.name), i * bytes));
  return { samples, channels: chosen };
}

/** A canvas showing the picture (CSS sizes it); `label` is its accessible name, set as text. */
export function pictureCanvas(image: RgbaImage, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.className = 'picture';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const pixels = new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
  // Shown opaque: a thumbnail of a picture with alpha shows its stored colours, as the sample keeps them.
  for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  return canvas;
}
