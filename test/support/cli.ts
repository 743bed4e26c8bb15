// Running the bundled command-line tools as a person does: built once into a test's own folder (so a test
// never races a developer's build or another test's), then each command in a child process.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Builds the commands (vite --mode cli) into `outDir`, relative to the repository. */
export async function buildCli(outDir: string): Promise<void> {
  await run('npx', ['vite', 'build', '--mode', 'cli', '--logLevel', 'warn', '--outDir', outDir], { cwd: ROOT });
}

/** Runs `outDir/name.js args`; its exit code and output, or an error when it runs past `timeoutSeconds`. */
export async function runCli(outDir: string, name: string, args: readonly string[], timeoutSeconds: number): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`${outDir}/${name}.js`, ...args], { cwd: ROOT, timeout: timeoutSeconds * 1000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    if (failed.killed) throw new Error(`${name}.js ${args.join(' ')} ran past ${timeoutSeconds} s\n${failed.stdout}`);
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
