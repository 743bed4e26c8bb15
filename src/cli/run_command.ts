// How every command-line tool ends: errors meant for people (EngineError, a missing file) become one
// line on stderr and exit code 1; anything else is a bug and keeps its stack. Dawn keeps Node's event
// loop alive, so the process exits explicitly, once stdout has been written out.
import { EngineError } from '../gpu/errors';

/** A bad command line: the message says what was wrong, the command's usage what is valid. */
export class UsageError extends Error {}

/**
 * Parses the command line with `parse`. On --help it prints the usage and returns exit code 0; on a
 * UsageError the message and the usage on stderr, and exit code 2.
 */
export function parseCommandLine<T extends { help: boolean }>(name: string, usage: string, parse: () => T): T | number {
  try {
    const options = parse();
    if (!options.help) return options;
    console.log(usage);
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${name}: ${e.message}\n\n${usage}`);
    return 2;
  }
}

/** Runs `main` (which returns the exit code, using `engine`s it disposes itself) as the command `name`. */
export function runCommand(name: string, main: () => Promise<number>): void {
  main()
    .catch((e: unknown) => {
      const forPeople = e instanceof EngineError || typeof (e as NodeJS.ErrnoException)?.code === 'string';
      console.error(forPeople ? `${name}: ${(e as Error).message}` : e);
      return 1;
    })
    .then((code) => process.stdout.write('', () => process.exit(code)));
}
