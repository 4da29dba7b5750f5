/**
 * The config a long-running command (`serve`, `worker`, `batch`, `runs`) starts from: the file must
 * exist, and its diagnostics are printed before the command goes on or stops.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type SdlConfig } from '@sdl/adapters';
import { type CliIO, EXIT_INPUT_ERRORS, EXIT_USAGE } from '../io.js';
import { formatDiagnostics } from './report-error.js';

/** Options of {@link loadCommandConfig}. */
export interface CommandConfigOptions {
  /** The command as the user typed it, for messages (`skillc serve`). */
  command: string;
  /** `--config`, when given. */
  flag: string | undefined;
  /** What to do when the file is missing, after "does not exist; ". */
  missingHint: string;
  /** Colour the diagnostics on a terminal (default true). */
  color?: boolean;
}

/** The loaded config and its file, or the exit code when there is none to run with (the reason is printed). */
export async function loadCommandConfig(io: CliIO, options: CommandConfigOptions): Promise<{ config: SdlConfig; configFile: string } | number> {
  const configFile = path.resolve(io.cwd, options.flag ?? 'sdl.config.yaml');
  if (!existsSync(configFile)) {
    io.stderr.write(`${options.command}: the config file ${path.relative(io.cwd, configFile) || configFile} does not exist; ${options.missingHint}\n`);
    return EXIT_USAGE;
  }
  const color = options.color !== false && io.stderr.isTTY === true && io.env.NO_COLOR === undefined;
  const loaded = await loadConfig(configFile, { env: io.env });
  if (loaded.diagnostics.length > 0) io.stderr.write(`${formatDiagnostics(loaded.diagnostics, { color, cwd: io.cwd })}\n`);
  return loaded.config === undefined ? EXIT_INPUT_ERRORS : { config: loaded.config, configFile };
}
