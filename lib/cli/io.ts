/**
 * What a CLI command may touch: its output streams, the working directory and the environment. Commands take
 * a CliIO instead of `process` so tests run them in-process and read what they printed.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** Everything checked passed. */
  OK: 0,
  /** A check failed (an isolation finding, a replacement, an expired licence). */
  FAILED: 1,
  /** Bad input: an unreadable file, not a template, a bad flag. */
  BAD_INPUT: 2,
} as const;

/** A bad flag or argument: the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command: parses its own arguments, returns the exit code. */
export type Command = (argv: readonly string[], io: CliIO) => Promise<number>;

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** A CliIO that records output, for tests. */
export function memoryIO(cwd = process.cwd(), env: Record<string, string | undefined> = {}): CliIO & {
  out: string;
  err: string;
} {
  const io = {
    out: '',
    err: '',
    cwd,
    env,
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
  };
  return io;
}
