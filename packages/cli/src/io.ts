/** Where a command reads and writes; tests pass their own to run commands in-process. */
export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Fired on Ctrl-C so long-running commands (`run`, `emulate`, `--watch`) can stop cleanly. */
  signal?: AbortSignal;
  /** Standard input, for `--input -` (absent: nothing to read). */
  stdin?: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
}

/** Exit codes: 0 success, 1 the user's input has errors, 2 usage or I/O error. */
export const EXIT_OK = 0;
export const EXIT_INPUT_ERRORS = 1;
export const EXIT_USAGE = 2;

/** A subcommand: parses its own arguments and returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Thrown for bad flags or arguments; main prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
