/**
 * `@sdl/lsp`: the SDL language server. Everything `skillc check` knows, live in the editor, with
 * completion, hover, navigation, rename, code lenses, formatting and semantic tokens. Every answer
 * comes from the compiler's stages (`@sdl/compiler`); see README.md.
 */
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from './server.js';

export { startServer, type ServerOptions } from './server.js';
export { Project, type LanguageHost, type SkillFile } from './project.js';
export { RUN_TEST_COMMAND, SHOW_PROMPT_COMMAND } from './lenses.js';
export { TOKEN_LEGEND, TOKEN_TYPES } from './tokens.js';
export { complete } from './completion.js';

/** The package's version. */
export const LSP_PACKAGE_VERSION = '0.1.0';

/** Serves LSP over this process's stdin and stdout (what `skillc lsp` runs). */
export function startStdioServer(options: ServerOptions = {}): void {
  const connection = createConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  startServer(connection, options);
}
