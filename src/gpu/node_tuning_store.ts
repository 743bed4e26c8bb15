// Node's store for kernel-variant choices (see autotune.ts): one JSON file in the user's cache folder,
// so a machine measures each problem once, not once per process.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TuningStore } from './autotune';

/** $XDG_CACHE_HOME/webgpu-cnn/autotune.json, else ~/.cache/webgpu-cnn/autotune.json. */
export function defaultTuningFile(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'webgpu-cnn', 'autotune.json');
}

export function fileTuningStore(file = defaultTuningFile()): TuningStore {
  return {
    load: () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>,
    save: (choices) => {
      mkdirSync(dirname(file), { recursive: true });
      // Written aside and renamed: two processes tuning at once never leave a half-written file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, `${JSON.stringify(choices, null, 2)}\n`);
      renameSync(partial, file);
    },
  };
}
