export { main, version } from './main.js';
export type { CliIO, Command } from './io.js';
export { EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE, UsageError } from './io.js';
