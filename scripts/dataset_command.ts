// The command line shared by the commands that write a dataset to a folder (make-shapes, make-mnist-folder):
// --out DIR (required), their numbers, --help.
import { column, numberFlags, numbersUsage, parseFlags, parseNumbers, type NumberSpec } from '../src/cli/options';
import { parseCommandLine, UsageError } from '../src/cli/run_command';

/** The options part of such a command's usage. */
export function datasetCommandOptions(numbers: Record<string, NumberSpec>): string[] {
  return [column('--out DIR', 'the folder to write (created if missing)'), ...numbersUsage(numbers), column('--help', 'this text')];
}

/** `args` parsed, or the exit code when the command is done (its usage printed: --help, or a bad command line). */
export function parseDatasetCommand<K extends string>(name: string, usage: string, numbers: Record<K, NumberSpec>, args: readonly string[]): ({ out: string } & Record<K, number>) | number {
  return parseCommandLine(name, usage, () => {
    const values = parseFlags(args, { out: { type: 'string' }, help: { type: 'boolean' }, ...numberFlags(numbers) });
    if (!values.help && typeof values.out !== 'string') throw new UsageError('--out DIR is required');
    return { help: values.help === true, out: values.out as string, ...parseNumbers(numbers, values) };
  });
}
