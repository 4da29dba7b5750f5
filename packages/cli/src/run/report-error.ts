/**
 * Turns what a run can fail with into what a person reads on stderr and the exit code: input,
 * skill, resolution and engine errors are the user's to fix (exit 1); a cancelled run exits 130
 * (the shell's convention for Ctrl-C). Anything unexpected is rethrown (an internal error).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isEngineError } from '@sdl/adapters';
import { SourceFile, type Diagnostic } from '@sdl/compiler';
import {
  DeadlineExceededError,
  NoEngineAvailableError,
  RunCancelledError,
  SdlRuntimeError,
  SkillCompileError,
  StateError,
  StepFailedError,
  formatLocation,
} from '@sdl/runtime';
import { formatDiagnostic } from '../report/human.js';
import { EXIT_INPUT_ERRORS } from '../io.js';

/** Exit code of a run stopped by the CLI's abort signal (Ctrl-C): 128 + SIGINT. */
export const EXIT_CANCELLED = 130;

/**
 * Diagnostics as the compiler commands print them (with the source line and a caret when the file
 * is readable), their files shown relative to `cwd`. Relative `file`s are resolved against `base`.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: { color: boolean; cwd: string; base?: string }): string {
  const sources = new Map<string, SourceFile>();
  const shown = diagnostics.map((d) => {
    const absolute = path.resolve(options.base ?? options.cwd, d.file);
    const file = path.relative(options.cwd, absolute) || absolute;
    if (!sources.has(file)) {
      try {
        sources.set(file, new SourceFile(file, readFileSync(absolute, 'utf8')));
      } catch {
        // The message and location still stand without the source line.
      }
    }
    return { ...d, file };
  });
  return shown.map((d) => formatDiagnostic(d, { sources, color: options.color })).join('\n');
}

/** How an engine failure reads: the engine by name, its provider and the taxonomy kind; never a key. */
function engineFailure(error: Error & { kind: string; provider: string; status?: number }, engine: string | undefined): string {
  const who = engine === undefined ? `the ${error.provider} engine` : `engine \`${engine}\` (${error.provider})`;
  return `${who} failed: ${error.kind}${error.status === undefined ? '' : ` (HTTP ${error.status})`}: ${error.message}`;
}

/** The user-facing report of a failed run, or undefined when the error is not one a user can cause. */
export function describeRunError(
  error: unknown,
  options: { engineOf: (error: unknown) => string | undefined; color: boolean; cwd: string },
): { text: string; exitCode: number } | undefined {
  // Failures of the engines reach here wrapped with the step they happened in.
  const inner = error instanceof StepFailedError && (error.cause instanceof NoEngineAvailableError || isEngineError(error.cause)) ? error.cause : undefined;
  if (inner !== undefined) {
    const described = describeRunError(inner, options);
    const where = error instanceof StepFailedError && error.location !== undefined ? `${formatLocation(error.location)}: step \`${error.stepId}\`: ` : '';
    if (described !== undefined) return { ...described, text: described.text.replace(/^skillc run: /, `skillc run: ${where}`) };
  }
  if (error instanceof RunCancelledError) return { text: 'skillc run: cancelled; nothing was saved to the session\n', exitCode: EXIT_CANCELLED };
  if (error instanceof SkillCompileError) return { text: `${formatDiagnostics(error.diagnostics, { color: options.color, cwd: options.cwd, base: process.cwd() })}`, exitCode: EXIT_INPUT_ERRORS };
  if (error instanceof DeadlineExceededError) {
    return { text: `skillc run: ${error.message}; raise --timeout or make the skill cheaper\n`, exitCode: EXIT_INPUT_ERRORS };
  }
  if (error instanceof SdlRuntimeError) return { text: `skillc run: ${error.message}\n`, exitCode: EXIT_INPUT_ERRORS };
  if (error instanceof NoEngineAvailableError) {
    const lines = error.attempts.map((a) => {
      const kind = isEngineError(a.error) ? ` (${a.error.provider}${a.error.status === undefined ? '' : `, HTTP ${a.error.status}`})` : '';
      return `  - ${a.engine}: ${a.reason}${kind}`;
    });
    return {
      text: `skillc run: no engine could serve the call:\n${lines.join('\n')}\nCheck the engines in sdl.config.yaml (keys, base_url) or try again later.\n`,
      exitCode: EXIT_INPUT_ERRORS,
    };
  }
  if (isEngineError(error)) return { text: `skillc run: ${engineFailure(error, options.engineOf(error))}\n`, exitCode: EXIT_INPUT_ERRORS };
  if (error instanceof StateError) return { text: `skillc run: session state: ${error.message}\n`, exitCode: EXIT_INPUT_ERRORS };
  return undefined;
}

/**
 * The stable code of a run failure for `--json`: the runtime's own code (`step_failed` gives its
 * cause's), `engine_<kind>` for an engine error, `no_engine`, `state`; SkillCompileError gives the
 * first error diagnostic's code.
 */
export function runErrorCode(error: unknown): string {
  if (error instanceof StepFailedError && error.cause !== undefined) {
    const inner = runErrorCode(error.cause);
    if (inner !== 'internal') return inner;
  }
  if (error instanceof SkillCompileError) return error.diagnostics.find((d) => d.severity === 'error')?.code ?? error.code;
  if (error instanceof NoEngineAvailableError) return 'no_engine';
  if (isEngineError(error)) return `engine_${error.kind}`;
  if (error instanceof StateError) return 'state';
  if (error instanceof SdlRuntimeError) return error.code;
  return 'internal';
}
