// Checkpoints and weights as files, in Node. A save writes a temporary file beside the target, flushes
// it to disk and renames it over the target: rename is atomic within a directory, so a crash or a full
// disk leaves the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Sequential } from '../model';
import { loadCheckpoint, loadWeights, saveCheckpoint, saveWeights } from './checkpoint';

/** Writes `bytes` to `path` atomically (temporary file in the same directory, fsync, rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
  // The rename is durable once the directory is flushed too; not every platform can open a directory.
  const dir = await open(directory, 'r').catch(() => undefined);
  await dir?.sync().catch(() => {});
  await dir?.close();
}

async function readBytes(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** saveCheckpoint, written atomically to `path`. */
export async function saveCheckpointFile(model: Sequential, path: string): Promise<void> {
  await writeFileAtomic(path, await saveCheckpoint(model));
}

/** loadCheckpoint from the file at `path` (errors name the file). */
export async function loadCheckpointFile(model: Sequential, path: string): Promise<void> {
  await loadCheckpoint(model, await readBytes(path), { source: path });
}

/** saveWeights, written atomically to `path`. */
export async function saveWeightsFile(model: Sequential, path: string): Promise<void> {
  await writeFileAtomic(path, await saveWeights(model));
}

/** loadWeights from the file at `path` (a weights file or a checkpoint). */
export async function loadWeightsFile(model: Sequential, path: string): Promise<void> {
  await loadWeights(model, await readBytes(path), { source: path });
}
