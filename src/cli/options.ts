// Command-line options for every command: flags parsed strictly (anything unknown is a UsageError), and
// numeric options described once (flag, range, default, help), so parsing, range checks and the help
// text come from the same table.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './run_command';

/** parseArgs's values for `args` with `options`, no positionals; a UsageError on anything it refuses. */
export function parseFlags(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export interface NumberSpec {
  flag: string;
  value: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
  help: string;
}

/** One line of a usage text: the option, then what it does. */
export const column = (left: string, help: string) => `  ${left.padEnd(19)} ${help}`;

/** The usage lines of `specs`, with their defaults. */
export function numbersUsage(specs: Record<string, NumberSpec>): string[] {
  return Object.values(specs).map((s) => column(`--${s.flag} ${s.value}`, `${s.help} (default ${s.default})`));
}

/** A number whose default is not one value (it depends on other options, or the option is off), said in words. */
export interface OptionalNumberSpec extends Omit<NumberSpec, 'default'> {
  defaultHelp: string;
}

/** The usage lines of `specs`, with what applies when they are left out. */
export function optionalNumbersUsage(specs: Record<string, OptionalNumberSpec>): string[] {
  return Object.values(specs).map((s) => column(`--${s.flag} ${s.value}`, `${s.help} (${s.defaultHelp})`));
}

/** parseArgs's option table for `specs`: each takes a string, checked by parseNumbers. */
export function numberFlags(specs: Record<string, NumberSpec | OptionalNumberSpec>): Record<string, { type: 'string' }> {
  return Object.fromEntries(Object.values(specs).map((s) => [s.flag, { type: 'string' as const }]));
}

/** The value of each spec from parseArgs's `values`, or its default; throws UsageError when out of range. */
export function parseNumbers<K extends string>(specs: Record<K, NumberSpec>, values: Record<string, unknown>): Record<K, number> {
  const entries = (Object.entries(specs) as Array<[K, NumberSpec]>).map(([key, spec]) => {
    const text = values[spec.flag];
    return [key, typeof text === 'string' ? parseNumber(spec, text) : spec.default];
  });
  return Object.fromEntries(entries) as Record<K, number>;
}

/** The value of each spec given in parseArgs's `values`, undefined for the others; throws UsageError when out of range. */
export function parseOptionalNumbers<K extends string>(specs: Record<K, OptionalNumberSpec>, values: Record<string, unknown>): Record<K, number | undefined> {
  const entries = (Object.entries(specs) as Array<[K, OptionalNumberSpec]>).map(([key, spec]) => {
    const text = values[spec.flag];
    return [key, typeof text === 'string' ? parseNumber(spec, text) : undefined];
  });
  return Object.fromEntries(entries) as Record<K, number | undefined>;
}

function parseNumber(spec: NumberSpec | OptionalNumberSpec, text: string): number {
  const value = Number(text);
  const shape = spec.integer ? /^\d+$/ : /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  if (!shape.test(text.trim()) || !Number.isFinite(value) || value < spec.min || value > spec.max) {
    const range = spec.integer ? `an integer from ${spec.min} to ${spec.max}` : `a number ${spec.min > 0 ? 'above 0' : `from ${spec.min}`}, at most ${spec.max}`;
    throw new UsageError(`--${spec.flag} is "${text}"; it must be ${range}`);
  }
  return value;
}
