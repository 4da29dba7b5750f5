/**
 * A real LSP client for tests: `skillc lsp` as a child process, spoken to over its stdio with
 * vscode-jsonrpc's message reader and writer (what vscode-languageclient uses underneath).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

const BIN = fileURLToPath(new URL('../../../cli/bin/skillc.js', import.meta.url));

/** A temporary project directory with files. */
export function project(files: Record<string, string>): { root: string; uri: (name: string) => string; file: (name: string) => string; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'sdl-lsp-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return {
    root,
    file: (name) => path.join(root, name),
    uri: (name) => pathToFileURL(path.join(root, name)).href,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A connected client; `diagnostics(uri)` waits for the server's next report on `uri` matching `until`. */
export class LspClient {
  readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: { uri: string; until: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly versions = new Map<string, number>();

  constructor(readonly root: string) {
    this.child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.latest.set(params.uri, params);
      for (const w of [...this.waiters]) {
        if (w.uri === params.uri && w.until(params)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(params);
        }
      }
    });
    this.connection.onRequest('workspace/configuration', () => []);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  /** Starts a client on a project root and completes the initialize handshake. */
  static async start(root: string): Promise<LspClient> {
    const client = new LspClient(root);
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'test' }],
      capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
    });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  /** Opens a document with `text` (an open one gets the text as a change). */
  async open(uri: string, text: string): Promise<void> {
    if (this.versions.has(uri)) {
      await this.change(uri, text);
      return;
    }
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  }

  /** Closes a document (the file on disk counts again). */
  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Replaces the document's whole text; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** Applies one incremental edit; returns the new version. */
  async edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  /** The next diagnostics report for `uri` that satisfies `until` (the latest one if it already does). */
  diagnostics(uri: string, until: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<Diagnostic[]> {
    const have = this.latest.get(uri);
    if (have && until(have)) return Promise.resolve(have.diagnostics);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} (latest: ${JSON.stringify(this.latest.get(uri)?.diagnostics.map((d) => d.code))})`)), 10_000);
      this.waiters.push({ uri, until, resolve: (p) => (clearTimeout(timer), resolve(p.diagnostics)) });
    });
  }

  /** The last diagnostics the server sent for `uri`, if it sent any. */
  lastDiagnostics(uri: string): Diagnostic[] | undefined {
    return this.latest.get(uri)?.diagnostics;
  }

  /** A request with a position in `uri`. */
  at<T>(method: string, uri: string, line: number, character: number, extra: Record<string, unknown> = {}): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri }, position: { line, character }, ...extra }) as Promise<T>;
  }

  /** Shuts the server down and waits for the process to end. */
  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      this.child.kill();
    }
    await exited;
    this.connection.dispose();
  }
}

/** The 0-based position of the `n`-th (default first) occurrence of `needle` in `text`, plus `delta` characters. */
export function pos(text: string, needle: string, delta = 0, n = 0): { line: number; character: number } {
  let index = -1;
  for (let i = 0; i <= n; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`\`${needle}\` not in text`);
  }
  const offset = index + delta;
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}
