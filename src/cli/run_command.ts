// How every command-line tool ends: errors meant for people (EngineError, a missing file) become one
// line on stderr and exit code 1; anything else is a bug and keeps its stack. Dawn keeps Node's event
// loop alive, so the process exits explicitly, once stdout has been written out.
import { EngineError } from '../gpu/errors';

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
