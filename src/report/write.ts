// The report as a file, in Node: the path checked before training (a run of hours must not end in "cannot
// write"), the page written atomically as checkpoints are.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../gpu/errors';
import { writeFileAtomic } from '../io/checkpoint_node';
import { collectReport, type ReportInput } from './collect';
import { renderReport } from './report';

/** Throws ConfigError, naming the path and the reason, unless a report can be written at `path`. */
export function checkReportPath(path: string): void {
  const where = `report "${path}"`;
  const folder = dirname(resolve(path));
  const kind = (p: string) => {
    try {
      return statSync(p).isDirectory() ? 'folder' : 'file';
    } catch {
      return 'missing';
    }
  };
  if (kind(path) === 'folder') throw new ConfigError(where, 'it is a folder', 'Give the path of a file to write, e.g. report.html.');
  if (kind(folder) !== 'folder') throw new ConfigError(where, `the folder ${folder} does not exist`, 'Create it first, or give a path in an existing folder.');
  try {
    // The page is written to a temporary file in that folder, then renamed over the path: only the folder must be writable.
    accessSync(folder, constants.W_OK);
  } catch {
    throw new ConfigError(where, `the folder ${folder} is not writable`, 'Give a path in a folder where you may write.');
  }
}

/** Gathers what the report needs from the trained model, renders the page and writes it to `path`. */
export async function writeReport(path: string, input: ReportInput): Promise<{ bytes: number; mapSeconds: number }> {
  const { data, mapSeconds } = await collectReport(input);
  const page = new TextEncoder().encode(renderReport(data));
  await writeFileAtomic(path, page);
  return { bytes: page.length, mapSeconds };
}
