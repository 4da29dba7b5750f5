// The SDL extension: starts `skillc lsp` for *.skill.yaml files and shows what its code lenses return
// (a test's report, a step's rendered prompt). Everything else is the server's.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('sdl');
  const command = config.get('server.command', 'skillc');
  const args = config.get('server.args', ['lsp', '--stdio']);
  const output = vscode.window.createOutputChannel('SDL tests');
  client = new LanguageClient(
    'sdl',
    'SDL language server',
    { command, args },
    {
      documentSelector: [{ scheme: 'file', language: 'yaml', pattern: '**/*.skill.yaml' }],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.skill.yaml,sdl.config.yaml,package.json}') },
      middleware: {
        // The server runs the command; the result is shown here.
        async executeCommand(name, commandArgs, next) {
          const result = await next(name, commandArgs);
          if (name === 'sdl.showPrompt' && typeof result === 'string') {
            const doc = await vscode.workspace.openTextDocument({ content: result, language: 'markdown' });
            await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
          } else if (name === 'sdl.runTest' && result) {
            output.clear();
            output.append(result.output);
            output.show(true);
            vscode.window.showInformationMessage(result.passed ? 'SDL test passed' : 'SDL test failed');
          }
          return result;
        },
      },
    },
  );
  context.subscriptions.push(output);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
