/**
 * Argument parsing shared by the commands: `node:util` parseArgs in strict mode, with every parse problem turned
 * into a UsageError (one line on stderr, exit 2) instead of a Node stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

/** The options a command accepts, in `node:util` parseArgs form (declare them `as const`). */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface PositionalSpec {
  /** Fewest positional arguments. @default 0 */
  readonly min?: number;
  /** Most positional arguments. @default - no limit */
  readonly max?: number;
  /** How to name them in messages, e.g. `<baseline> <candidate>`. @default 'arguments' */
  readonly names?: string;
}

type Parsed<O extends OptionSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * Parses `argv` against `options`. Unknown flags, missing flag values and a wrong number of positionals throw a
 * UsageError. The positional count is not checked when `--help` was given (an option named `help` is true).
 */
export function parseCommandArgs<const O extends OptionSpec>(
  argv: readonly string[],
  options: O,
  positionals: PositionalSpec = {},
): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    if (isParseArgsError(e)) throw new UsageError(firstSentence(e.message));
    throw e;
  }
  if ((parsed.values as Record<string, unknown>).help === true) return parsed;
  const count = parsed.positionals.length;
  const { min = 0, max = Infinity, names = 'arguments' } = positionals;
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const got = count === 0 ? 'none' : count;
    throw new UsageError(
      `expected ${expected} ${names}, got ${got}${count > max ? `: ${parsed.positionals.join(' ')}` : ''}`,
    );
  }
  return parsed;
}

/** Checks a flag value against a fixed set of choices; `undefined` gives the fallback. */
export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** Checks a flag value is a real calendar date YYYY-MM-DD; `undefined` passes through. */
export function isoDate(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!d || Number.isNaN(d.getTime()) || !d.toISOString().startsWith(value)) {
    throw new UsageError(`--${flag} must be a date YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

/** Duck-typed: errors from Node core are not `instanceof Error` inside a Jest sandbox. */
function isParseArgsError(e: unknown): e is { code: string; message: string } {
  if (e === null || typeof e !== 'object') return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') && typeof message === 'string';
}

/** Node's messages continue with advice about `--`; the first sentence is what a user needs. */
function firstSentence(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const end = line.indexOf('. ');
  return end > 0 ? line.slice(0, end) : line.replace(/\.$/, '');
}
