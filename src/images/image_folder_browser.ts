// torchvision's ImageFolder in a browser: from a dropped or picked folder (Files with webkitRelativePath
// "root/class/…/name.png") or from Blobs per class, decoded by the browser (browser_source.ts).
import { imageFromSource } from './browser_source';
import { ImageFolderError } from './errors';
import { compareCodePoints, isHidden, isImageFile, sortPaths } from './folder_order';
import { assembleImageFolder, type FolderFile, type ImageFolderData, type ImageFolderOptions } from './image_folder';

/**
 * Loads a folder's Files (as `<input type="file" webkitdirectory>` or a drop gives them: each with a
 * `webkitRelativePath`) with the same rules as loadImageFolder in Node: the second part of the path is the
 * class, hidden files and folders are skipped, files outside a class folder are ignored, other files
 * than pictures are skipped and pictures other than PNG and JPEG refused, the order is torchvision's.
 * Or Blobs per class, `{ cat: [blob, …], dog: [...] }`: classes sorted by name, every Blob decoded, in
 * the order given.
 */
export async function imageFolderFromFiles(files: File[] | Record<string, Blob[]>, options: ImageFolderOptions = {}): Promise<ImageFolderData> {
  const read = (blob: Blob) => async () => new Uint8Array(await blob.arrayBuffer());
  const decode = (bytes: Uint8Array, source: string) => imageFromSource(new Blob([bytes as Uint8Array<ArrayBuffer>]), source);
  if (!Array.isArray(files)) {
    const classes = Object.keys(files).sort(compareCodePoints);
    const entries: FolderFile[] = classes.flatMap((name, label) =>
      files[name].map((blob, i) => {
        const path = `${name}/${blob instanceof File ? blob.name : `${i}`}`;
        return { label, path, source: path, read: read(blob) };
      }),
    );
    return assembleImageFolder('files', classes, entries, decode, options);
  }
  const root = files.find((f) => f.webkitRelativePath)?.webkitRelativePath.split('/')[0] ?? 'files';
  const byPath = new Map<string, File>();
  const classNames = new Set<string>();
  for (const file of files) {
    const parts = file.webkitRelativePath.split('/');
    if (!file.webkitRelativePath) {
      throw new ImageFolderError(root, 'no-classes', `"${file.name}" has no folder path`, 'Give the files of a dropped or picked folder (webkitRelativePath "folder/class/name.png"), or { className: [blobs] }');
    }
    // A file directly in the root is in no class; hidden files and folders are skipped.
    if (parts.length < 3 || parts.slice(1).some(isHidden)) continue;
    // A class folder counts even when it holds no picture, so that it is reported as empty.
    classNames.add(parts[1]);
    const path = parts.slice(1).join('/');
    if (isImageFile(`${root}/${path}`)) byPath.set(path, file);
  }
  const classes = [...classNames].sort(compareCodePoints);
  const entries: FolderFile[] = sortPaths([...byPath.keys()]).map((path) => ({
    label: classes.indexOf(path.split('/')[0]), path, source: `${root}/${path}`, read: read(byPath.get(path)!),
  }));
  // torchvision's order: classes in order, each class's files as sortPaths orders them.
  entries.sort((a, b) => a.label - b.label);
  return assembleImageFolder(root, classes, entries, decode, options);
}
