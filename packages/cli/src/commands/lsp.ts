/**
 * `skillc lsp`: the SDL language server over stdio (`@sdl/lsp`). The CLI supplies what the server
 * cannot know on its own: the engines of the project's sdl.config.yaml (completion and SDL3050,
 * as `skillc check` reports it), the model descriptors' ids, and running one test in a child
 * `skillc test` process (a test's .tools.mjs is code: it never runs inside the editor's server).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listModels } from '@sdl/adapters';
import type { Command } from '../io.js';
import { configuredEngineNames, unknownEngineDiagnostics } from '../run/config-engines.js';

const usage = `Usage: skillc lsp [--stdio]

Start the SDL language server on standard input and output (the Language Server Protocol).
Editors start it themselves: see editors/vscode and the Neovim and Zed notes in
packages/lsp/README.md. Diagnostics are those of \`skillc check\` (dependencies included), updated
as you type; completion, hover, go to definition, references, rename, code lenses (run a test,
show a step's rendered prompt), formatting (\`skillc fmt\`) and semantic tokens.

Options:
  --stdio     use stdio (the default and only transport; accepted for editors that pass it)
  -h, --help  show this help
`;

const BIN = fileURLToPath(new URL('../../bin/skillc.js', import.meta.url));

/** `skillc lsp`: runs until the client closes the connection. */
export const command: Command = {
  name: 'lsp',
  summary: 'Start the language server (stdio)',
  usage,
  async run(argv) {
    parseArgs({ args: argv, options: { stdio: { type: 'boolean' } }, allowPositionals: false, strict: true });
    const { startStdioServer } = await import('@sdl/lsp');
    startStdioServer({
      host: {
        engineNames: (root) => {
          try {
            return configuredEngineNames(root);
          } catch {
            return undefined;
          }
        },
        engineDiagnostics: (source, engines, shown) => unknownEngineDiagnostics([source], engines, shown),
        modelIds: () => listModels().map((m) => ({ provider: m.provider, id: m.id })),
        runTest: (file, name, cwd) =>
          new Promise((resolve) => {
            execFile(process.execPath, [BIN, 'test', file, '--name', name], { cwd, timeout: 120_000, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
              resolve({ passed: !error, output: `${stdout}${stderr}` });
            });
          }),
      },
    });
    // The server runs until stdin closes; the process exits then.
    await new Promise<void>((resolve) => process.stdin.on('close', resolve));
    return 0;
  },
};
