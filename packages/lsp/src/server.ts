/**
 * The language server: LSP requests answered from the compiler's own stages. One `Project` per
 * workspace folder (or per directory of a file opened outside any); diagnostics are re-published
 * after every change, for every file of the project whose diagnostics changed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSkill } from '@sdl/compiler';
import {
  CodeLensRequest,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type CompletionItem,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type Location,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { complete } from './completion.js';
import { toLspDiagnostic, uriOf } from './diagnostics.js';
import { hover } from './hover.js';
import { codeLenses, renderPrompt, RUN_TEST_COMMAND, SHOW_PROMPT_COMMAND } from './lenses.js';
import { offsetOf, rangeOf } from './positions.js';
import { Project, type LanguageHost, type SkillFile } from './project.js';
import { IDENTIFIER, occurrences, symbolAt, type Occurrence } from './symbols.js';
import { semanticTokens, TOKEN_LEGEND } from './tokens.js';

/** Options of `startServer`. */
export interface ServerOptions {
  /** Host services (engine names, model ids, running tests); the CLI supplies them. */
  host?: LanguageHost;
}

const SKILL_FILE = /\.skill\.yaml$/;

/** Serves LSP on `connection` until it closes. */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const host = options.host ?? {};
  const documents = new TextDocuments(TextDocument);
  const projects = new Map<string, Project>();
  const published = new Map<string, string>();
  let pending: NodeJS.Immediate | undefined;
  const dirtyProjects = new Set<Project>();

  const projectFor = (file: string): Project => {
    let best: Project | undefined;
    for (const project of projects.values()) if (project.contains(file) && (!best || project.root.length > best.root.length)) best = project;
    if (best) return best;
    const root = path.dirname(file);
    const project = new Project(root, host);
    projects.set(root, project);
    return project;
  };
  const fileOf = (uri: string): { project: Project; file: SkillFile; path: string } | undefined => {
    if (!isSkillUri(uri)) return undefined;
    const file = fileURLToPath(uri);
    const project = projectFor(file);
    const skill = project.file(file);
    return skill ? { project, file: skill, path: file } : undefined;
  };

  const publish = (project: Project) => {
    const byFile = project.diagnostics();
    // An open file is always reported, clean or not, so the editor knows it was checked.
    for (const file of project.openFiles()) if (!byFile.has(file)) byFile.set(file, []);
    const seen = new Set<string>();
    const result = project.check();
    for (const [file, list] of byFile) {
      if (!project.contains(file) && !documents.get(uriOf(file))) continue;
      const uri = uriOf(file);
      seen.add(uri);
      const skill = project.file(file);
      const source = skill?.result.source ?? (list[0] ? result.sources.get(list[0].file) : undefined);
      if (!source && list.length > 0) continue;
      const diagnostics = list.map((d) => toLspDiagnostic(project, skill, source!, d));
      const version = documents.get(uri)?.version;
      // Unchanged diagnostics are not sent again, except for a new version of an open document.
      const key = `${version}:${JSON.stringify(diagnostics)}`;
      if (published.get(uri) === key) continue;
      published.set(uri, key);
      void connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) });
    }
    for (const uri of [...published.keys()]) {
      if (seen.has(uri) || !project.contains(fileURLToPath(uri))) continue;
      published.delete(uri);
      void connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  };
  const schedule = (project: Project) => {
    dirtyProjects.add(project);
    pending ??= setImmediate(() => {
      pending = undefined;
      for (const p of dirtyProjects) {
        try {
          publish(p);
        } catch (error) {
          // A compiler bug must not take the server down: say so in the editor's log, keep serving.
          connection.console.error(`sdl: checking ${p.root} failed: ${(error as Error).message}`);
        }
      }
      dirtyProjects.clear();
    });
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    watchDynamically = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    for (const uri of folders) {
      if (!uri.startsWith('file:')) continue;
      const root = fileURLToPath(uri);
      projects.set(root, new Project(root, host));
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['.', ' ', ':', '{', '-'] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentFormattingProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [RUN_TEST_COMMAND, SHOW_PROMPT_COMMAND] },
        semanticTokensProvider: { legend: TOKEN_LEGEND, full: true },
      },
      serverInfo: { name: 'sdl-language-server' },
    };
  });

  let watchDynamically = false;
  connection.onInitialized(() => {
    // Files changed by other programs (git, a formatter) reach the server only if the client watches them.
    if (watchDynamically) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.skill.yaml' }, { globPattern: '**/sdl.config.yaml' }, { globPattern: '**/package.json' }, { globPattern: '**/sdl.lock' }],
      });
    }
    for (const project of projects.values()) schedule(project);
  });

  documents.onDidChangeContent((event) => {
    // Other YAML files (sdl.config.yaml, CI files) are not skills: no skill diagnostics for them.
    if (!isSkillUri(event.document.uri)) return;
    const file = fileURLToPath(event.document.uri);
    const project = projectFor(file);
    project.setText(file, event.document.getText());
    schedule(project);
  });
  documents.onDidClose((event) => {
    if (!isSkillUri(event.document.uri)) return;
    const file = fileURLToPath(event.document.uri);
    const project = projectFor(file);
    project.setText(file, undefined);
    schedule(project);
  });
  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      if (!change.uri.startsWith('file:')) continue;
      const file = fileURLToPath(change.uri);
      if (documents.get(change.uri)) continue; // the buffer wins over the disk while open
      const project = projectFor(file);
      project.changed([file]);
      schedule(project);
    }
  });

  connection.onCompletion((params): CompletionItem[] => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.source) return [];
    return complete(at.project, at.file, offsetOf(at.file.result.source, params.position));
  });
  connection.onHover((params) => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.source) return null;
    return hover(at.project, at.file, offsetOf(at.file.result.source, params.position));
  });

  const locationOf = (project: Project, o: { file: string; start: number; end: number }): Location | undefined => {
    const source = project.file(o.file)?.result.source;
    return source ? { uri: uriOf(o.file), range: rangeOf(source, o.start, o.end) } : undefined;
  };
  connection.onDefinition((params) => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.source) return null;
    const found = symbolAt(at.project, at.file, offsetOf(at.file.result.source, params.position));
    if (!found) return null;
    if (found.target) return { uri: uriOf(found.target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    if (found.loopVariable) return locationOf(at.project, { file: at.path, start: found.loopVariable[0], end: found.loopVariable[1] }) ?? null;
    if (!found.symbol) return null;
    const declarations = occurrences(at.project, found.symbol).filter((o) => o.declaration);
    return declarations.flatMap((o) => locationOf(at.project, o) ?? []);
  });
  connection.onReferences((params) => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.source) return [];
    const found = symbolAt(at.project, at.file, offsetOf(at.file.result.source, params.position));
    if (!found?.symbol) return [];
    return occurrences(at.project, found.symbol)
      .filter((o) => params.context.includeDeclaration || !o.declaration)
      .flatMap((o) => locationOf(at.project, o) ?? []);
  });
  connection.onPrepareRename((params) => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.source) return null;
    const found = symbolAt(at.project, at.file, offsetOf(at.file.result.source, params.position));
    if (!found?.symbol) return null;
    return { range: rangeOf(at.file.result.source, found.start, found.end), placeholder: found.symbol.name };
  });
  connection.onRenameRequest((params): WorkspaceEdit | null => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.source) return null;
    const found = symbolAt(at.project, at.file, offsetOf(at.file.result.source, params.position));
    if (!found?.symbol) return null;
    if (!IDENTIFIER.test(params.newName)) throw new Error(`\`${params.newName}\` is not a valid name: use letters, digits and \`_\`, not starting with a digit`);
    const changes: Record<string, TextEdit[]> = {};
    for (const o of occurrences(at.project, found.symbol) as Occurrence[]) {
      const location = locationOf(at.project, o);
      if (location) (changes[location.uri] ??= []).push({ range: location.range, newText: params.newName });
    }
    return { changes };
  });
  connection.onDocumentFormatting((params): TextEdit[] => {
    const document = documents.get(params.textDocument.uri);
    if (!document || !isSkillUri(params.textDocument.uri)) return [];
    const formatted = formatSkill(document.getText());
    if (!formatted.changed) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: document.positionAt(document.getText().length) }, newText: formatted.text }];
  });
  connection.languages.semanticTokens.on((params) => {
    const at = fileOf(params.textDocument.uri);
    if (!at?.file.result.parsed?.ok || !at.file.result.source) return { data: [] };
    return semanticTokens(at.file.result.parsed, at.file.result.source);
  });
  connection.onRequest(CodeLensRequest.type, (params) => {
    const at = fileOf(params.textDocument.uri);
    return at ? codeLenses(at.file, params.textDocument.uri) : [];
  });
  connection.onExecuteCommand(async (params) => {
    const [uri, a, b] = (params.arguments ?? []) as [string, unknown, unknown];
    const at = typeof uri === 'string' ? fileOf(uri) : undefined;
    if (!at) return null;
    if (params.command === SHOW_PROMPT_COMMAND && at.file.result.parsed) return renderPrompt(at.file.result.parsed, at.project.dependencies(at.file), Number(a), Number(b));
    if (params.command === RUN_TEST_COMMAND && host.runTest && typeof a === 'string') return host.runTest(at.path, a, at.project.root);
    return null;
  });

  documents.listen(connection);
  connection.listen();
}

/** True for a `file:` URI of a skill file (`*.skill.yaml`). */
function isSkillUri(uri: string): boolean {
  return uri.startsWith('file:') && SKILL_FILE.test(uri);
}
