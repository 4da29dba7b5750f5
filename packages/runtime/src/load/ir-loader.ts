/**
 * Loads compiled IR (`skillc compile` output, `spec/ir.md`) into a {@link LoadedSkill}: checks the
 * IR version, validates the document against `schemas/ir.schema.json` (compiled once), recomputes the
 * document and skill content hashes, checks every `uses:` pin, and compiles the expression and
 * template ASTs once. Nothing is parsed at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { JsonSchema, JsonValue, ModelFeature } from '@sdl/adapters';
import type { ExprNode, TemplateAst } from '@sdl/compiler';
import { contentHash, documentHash, loadStandaloneValidators, type Range, SourceFile, type StandaloneValidator } from '@sdl/compiler/core';
import type { ErrorObject } from 'ajv';
import { SdlRuntimeError } from '../run/errors.js';
import { setOwn } from '../run/set-own.js';
import { celExpressionFromAst, celTemplateFromAst, type ExpressionLimits } from './cel.js';
import type {
  CompiledExpression,
  CompiledTemplate,
  Dependency,
  LoadedSkill,
  LoadedStep,
  ModelParams,
  Policies,
  SourceLocation,
} from './loaded-skill.js';
import { jsonPointer as ptr, scanJson } from './json-position.js';
import { createAjv, describeErrors } from './validators.js';

/** The IR versions this runtime reads: major 1, minors up to this one. */
export const IR_VERSION = { major: 1, minor: 0 } as const;

/** Stable codes of IR loading failures (SDL6xxx, documented in spec/runtime.md). */
export const IrErrorCode = {
  Unreadable: 'SDL6001',
  UnsupportedVersion: 'SDL6002',
  SchemaMismatch: 'SDL6003',
  HashMismatch: 'SDL6004',
  BrokenReference: 'SDL6005',
  BadExpression: 'SDL6006',
} as const;

/** Where in the IR document an {@link IrLoadError} is. */
export interface IrPosition {
  /** JSON Pointer of the offending value in the IR document (`''`: the document itself). */
  pointer?: string;
  /**
   * Its range in the IR file (line and column from 1, columns in code points, end exclusive), when
   * the loader had the file's text ({@link loadIrFile}, or {@link IrLoadOptions.text}).
   */
  range?: Range;
}

/**
 * A compiled skill file that this runtime cannot load; `code` is one of {@link IrErrorCode}. The
 * message starts with `file:line:col` of the offending value when its position is known.
 */
export class IrLoadError extends SdlRuntimeError {
  readonly file: string;
  /** JSON Pointer of the offending value in the IR document, when there is one. */
  readonly pointer?: string;
  /** The offending value's range in the IR file, when known. */
  readonly range?: Range;
  /** The message without the file, position and code. */
  readonly detail: string;
  constructor(code: string, file: string, message: string, location?: SourceLocation, position: IrPosition = {}) {
    const at = position.range === undefined ? file : `${file}:${position.range.start.line}:${position.range.start.column}`;
    super(code, `${at}: ${code} ${message}`, location === undefined ? {} : { location });
    this.file = file;
    this.detail = message;
    if (position.pointer !== undefined) this.pointer = position.pointer;
    if (position.range !== undefined) this.range = position.range;
  }
}

/** The error again with the range of its value in `text` (the IR file's text), found by a scan run only now. */
function locate(error: IrLoadError, text: string): IrLoadError {
  if (error.range !== undefined || error.pointer === undefined) return error;
  const { value } = scanJson(text, error.pointer);
  if (value === undefined) return error;
  const range = new SourceFile(error.file, text).rangeAt(value.start, value.end);
  return new IrLoadError(error.code, error.file, error.detail, error.location, { pointer: error.pointer, range });
}

let irValidator: StandaloneValidator | undefined;
// Written by scripts/build-validators.mjs at build time (package root: src/load and dist/load sit at the same depth).
const GENERATED_IR_VALIDATOR = new URL('../../generated/ir-schema.cjs', import.meta.url);

/**
 * The IR schema validator (the schema ships in `@sdl/compiler`: `schemas/ir.schema.json`): the one
 * generated at build time when it matches the schema, else compiled here on first use.
 */
function validateIr(document: unknown): ReturnType<typeof describeErrors> {
  if (irValidator === undefined) {
    const text = readFileSync(createRequire(import.meta.url).resolve('@sdl/compiler/schemas/ir.schema.json'), 'utf8');
    irValidator = loadStandaloneValidators(GENERATED_IR_VALIDATOR, text)?.validate ?? (createAjv().compile(JSON.parse(text) as object) as StandaloneValidator);
  }
  return irValidator(document) ? [] : describeErrors((irValidator.errors ?? []) as ErrorObject[]);
}

/** `sha256:` + SHA-256 of the canonical JSON of a skill without its `hash` member (spec/ir.md). */
export const irContentHash: (value: { [key: string]: unknown }) => string = contentHash;

/**
 * `sha256:` + SHA-256 of an IR document (spec/ir.md): the canonical JSON of the document without
 * its `hash`, each skill replaced by that skill's `hash` (which the loader checks first).
 */
export const irDocumentHash: (doc: { [key: string]: unknown }) => string = documentHash;

type IrDoc = { [key: string]: unknown };

/** Node kinds of the expression compiler's AST (`packages/compiler/src/expr/ast.ts`). */
const AST_KINDS = new Set([
  'null', 'bool', 'int', 'uint', 'double', 'string', 'bytes', 'ident', 'select', 'index', 'call', 'has', 'unary',
  'binary', 'conditional', 'list', 'map', 'comprehension', 'template', 'text', 'interpolation', 'if', 'each',
]);
const MAX_IR_AST_DEPTH = 512;

/**
 * The IR is untrusted input: before an AST reaches the compiler, every node must be of a known kind
 * and the tree must not nest deeper than the parser ever produces. Returns what is wrong, if anything.
 */
function astProblem(node: unknown, depth = 0): string | undefined {
  if (depth > MAX_IR_AST_DEPTH) return `nests deeper than ${MAX_IR_AST_DEPTH} levels`;
  if (Array.isArray(node)) {
    for (const child of node) {
      const problem = astProblem(child, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const kind = (node as { kind?: unknown }).kind;
  if (kind !== undefined && (typeof kind !== 'string' || !AST_KINDS.has(kind))) return `has an unknown node kind ${JSON.stringify(kind)}`;
  for (const value of Object.values(node)) {
    const problem = astProblem(value, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
type IrExpression = { src: string; ast: unknown; map: string };
type IrLocation = { file: string; start: { line: number; column: number }; anchors?: Array<[number, number, number]> };

/**
 * `offset` (code points into an expression's `src`) to its file position: the last anchor at or
 * before it, moved right by the difference (spec/ir.md, "Source map").
 */
function anchorLocator(location: IrLocation | undefined): ((offset: number) => SourceLocation) | undefined {
  const anchors = location?.anchors;
  if (location === undefined || anchors === undefined || anchors.length === 0) return undefined;
  return (offset) => {
    let best = anchors[0]!;
    for (const anchor of anchors) if (anchor[0] <= offset) best = anchor;
    return { file: location.file, line: best[1], column: best[2] + Math.max(0, offset - best[0]) };
  };
}

function checkVersion(version: unknown, file: string): void {
  const at = { pointer: '/ir_version' };
  const readable = `IR ${IR_VERSION.major}.0 to ${IR_VERSION.major}.${IR_VERSION.minor}`;
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)$/.exec(version) : null;
  if (match === null) {
    throw new IrLoadError(IrErrorCode.UnsupportedVersion, file, `\`ir_version\` is ${JSON.stringify(version)}; this runtime reads ${readable}`, undefined, at);
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major !== IR_VERSION.major || minor > IR_VERSION.minor) {
    throw new IrLoadError(
      IrErrorCode.UnsupportedVersion,
      file,
      `IR version ${String(version)} is not supported: this runtime reads ${readable}. ` +
        (major > IR_VERSION.major || (major === IR_VERSION.major && minor > IR_VERSION.minor)
          ? 'Upgrade @sdl/runtime, or compile with the skillc that matches this runtime.'
          : 'Recompile the skill with a current skillc.'),
      undefined,
      at,
    );
  }
}

/** Options of {@link loadIr} and {@link loadIrFile}. */
export interface IrLoadOptions {
  /** The name shown in errors (default `<ir>`). */
  file?: string;
  /** Bounds on expression and template evaluation (steps, string and list sizes) for the loaded skill. */
  limits?: ExpressionLimits;
  /**
   * The JSON text `document` was parsed from: errors then carry the range of the offending value in
   * it ({@link IrLoadError.range}). {@link loadIrFile} passes it.
   */
  text?: string;
}

/**
 * Validates an IR document and builds the entry skill (with its dependencies). Errors name the JSON
 * Pointer of the offending value, and its line and column when `options.text` is given.
 */
export function loadIr(document: unknown, options: IrLoadOptions = {}): LoadedSkill {
  try {
    return loadDocument(document, options);
  } catch (error) {
    throw error instanceof IrLoadError && options.text !== undefined ? locate(error, options.text) : error;
  }
}

function loadDocument(document: unknown, options: IrLoadOptions): LoadedSkill {
  const file = options.file ?? '<ir>';
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new IrLoadError(IrErrorCode.Unreadable, file, 'is not a compiled skill: expected a JSON object', undefined, { pointer: '' });
  }
  const doc = document as IrDoc;
  checkVersion(doc.ir_version, file);
  const problems = validateIr(doc);
  if (problems.length > 0) {
    throw new IrLoadError(
      IrErrorCode.SchemaMismatch,
      file,
      `does not match ir.schema.json:\n${problems.slice(0, 20).map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
      undefined,
      { pointer: problems[0]!.path },
    );
  }
  const skills = doc.skills as { [id: string]: IrDoc };
  for (const [id, skill] of Object.entries(skills)) {
    if (irContentHash(skill) !== skill.hash) {
      throw new IrLoadError(IrErrorCode.HashMismatch, file, `skill \`${id}\` hash does not match its content: the file is corrupt or was edited; recompile it`, undefined, { pointer: ptr('skills', id, 'hash') });
    }
  }
  // Over the skills' (just checked) hashes: see spec/ir.md "Content hashes".
  if (irDocumentHash(doc) !== doc.hash) {
    throw new IrLoadError(IrErrorCode.HashMismatch, file, 'document hash does not match its content: the file is corrupt or was edited; recompile it', undefined, { pointer: '/hash' });
  }
  const built = new Map<string, LoadedSkill>();
  // `from`: the pointer of the reference being followed (the `entry`, or a `uses:` entry's `skill`).
  const build = (id: string, chain: string[], from: string): LoadedSkill => {
    const existing = built.get(id);
    if (existing !== undefined) return existing;
    if (chain.includes(id)) throw new IrLoadError(IrErrorCode.BrokenReference, file, `skills use each other in a cycle: ${[...chain, id].join(' -> ')}`, undefined, { pointer: from });
    const skill = skills[id];
    if (skill === undefined) throw new IrLoadError(IrErrorCode.BrokenReference, file, `skill \`${id}\` is referenced but not in \`skills\``, undefined, { pointer: from });
    const result = buildSkill(id, skill, file, options.limits, (depId, pointer) => build(depId, [...chain, id], pointer));
    built.set(id, result);
    return result;
  };
  return build(String(doc.entry), [], '/entry');
}

/** Reads and loads an IR file (`*.skill.json`). */
export async function loadIrFile(path: string, options: Omit<IrLoadOptions, 'file'> = {}): Promise<LoadedSkill> {
  let text: string;
  try {
    // Read synchronously, as are the objects below (IR files are small): the same system calls
    // without a thread-pool round trip for each of open, stat, read and close.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new IrLoadError(IrErrorCode.Unreadable, path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // Our own scan says where and what, without quoting the file's text as JSON.parse's message does.
    const { error } = scanJson(text);
    const offset = error?.offset ?? 0;
    const range = new SourceFile(path, text).rangeAt(offset, Math.min(offset + 1, text.length));
    throw new IrLoadError(IrErrorCode.Unreadable, path, `is not valid JSON: ${error?.message ?? 'cannot be parsed'}`, undefined, { range });
  }
  try {
    resolveSkillObjects(document, path);
  } catch (error) {
    throw error instanceof IrLoadError ? locate(error, text) : error;
  }
  return loadIr(document, { ...options, file: path, text });
}

const SKILL_REF = /^sha256:([0-9a-f]{64})$/;

/**
 * A content-addressed bundle (the default `skillc compile` output) holds each skill as its hash;
 * the skill's text is `objects/<hex>.json` beside the bundle. Reads each one in place of its
 * reference and checks that it is the skill the reference names (`loadIr` then checks every skill's
 * content against its hash, and the document hash). The file name is the hash's hex digits only, so
 * a reference cannot name a file outside `objects/`.
 */
function resolveSkillObjects(document: unknown, path: string): void {
  const skills = (document as { skills?: unknown } | null)?.skills;
  if (skills === null || typeof skills !== 'object' || Array.isArray(skills)) return;
  const table = skills as { [id: string]: unknown };
  for (const [id, ref] of Object.entries(table)) {
    if (typeof ref !== 'string') continue;
    const hex = SKILL_REF.exec(ref)?.[1];
    if (hex === undefined) throw new IrLoadError(IrErrorCode.SchemaMismatch, path, `skill \`${id}\` is \`${ref.slice(0, 80)}\`, which is neither a skill nor a reference "sha256:<64 hex digits>"`, undefined, { pointer: ptr('skills', id) });
    const objectFile = join(dirname(path), 'objects', `${hex}.json`);
    let skill: unknown;
    let objectText = '';
    try {
      objectText = readFileSync(objectFile, 'utf8');
      skill = JSON.parse(objectText);
    } catch (error) {
      // As for the bundle: where and what from our own scan, not JSON.parse's message quoting the text.
      const syntax = error instanceof SyntaxError ? scanJson(objectText).error : undefined;
      const where = syntax ? new SourceFile(objectFile, objectText).positionAt(syntax.offset) : undefined;
      const why = error instanceof SyntaxError ? `is not valid JSON${where ? ` at ${where.line}:${where.column}: ${syntax!.message}` : ''}` : `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      throw new IrLoadError(IrErrorCode.Unreadable, path, `skill \`${id}\` is stored in ${objectFile}, which ${why}; copy the whole compile output directory, or compile with --standalone`, undefined, { pointer: ptr('skills', id) });
    }
    if ((skill as { hash?: unknown } | null)?.hash !== ref) {
      throw new IrLoadError(IrErrorCode.HashMismatch, path, `${objectFile} is not the skill \`${id}\` the bundle refers to (hash differs): the output directory is corrupt or mixed; recompile it`, undefined, { pointer: ptr('skills', id) });
    }
    setOwn(table, id, skill);
  }
}

function buildSkill(id: string, skill: IrDoc, file: string, limits: ExpressionLimits | undefined, dependency: (id: string, pointer: string) => LoadedSkill): LoadedSkill {
  const base = ptr('skills', id);
  const skillFile = String(skill.file);
  const rawMap = skill.source_map as { [pointer: string]: IrLocation };
  const sourceMap: { [nodeId: string]: SourceLocation } = {};
  for (const [pointer, location] of Object.entries(rawMap)) {
    sourceMap[pointer] = { file: location.file, line: location.start.line, column: location.start.column };
  }
  const at = (pointer: string): SourceLocation => sourceMap[pointer] ?? sourceMap[''] ?? { file: skillFile, line: 1, column: 1 };

  // `pointer`: where the expression object is in the IR document (its `ast` member is what is wrong).
  const expression = (node: IrExpression, pointer: string): CompiledExpression => {
    const problem = astProblem(node.ast);
    const where = { pointer: `${pointer}/ast` };
    if (problem !== undefined) {
      throw new IrLoadError(IrErrorCode.BadExpression, file, `expression \`${node.src}\` cannot be compiled: its AST ${problem}`, at(node.map), where);
    }
    try {
      return celExpressionFromAst(node.src, node.ast as ExprNode, at(node.map), limits, anchorLocator(rawMap[node.map]));
    } catch (error) {
      throw new IrLoadError(IrErrorCode.BadExpression, file, `expression \`${node.src}\` cannot be compiled: ${(error as Error).message}`, at(node.map), where);
    }
  };
  const template = (node: IrExpression, pointer: string): CompiledTemplate => {
    const problem = astProblem(node.ast);
    const where = { pointer: `${pointer}/ast` };
    if (problem !== undefined) {
      throw new IrLoadError(IrErrorCode.BadExpression, file, `template cannot be compiled: its AST ${problem}`, at(node.map), where);
    }
    try {
      return celTemplateFromAst(node.src, node.ast as TemplateAst, at(node.map), limits, anchorLocator(rawMap[node.map]));
    } catch (error) {
      throw new IrLoadError(IrErrorCode.BadExpression, file, `template cannot be compiled: ${(error as Error).message}`, at(node.map), where);
    }
  };
  const args = (raw: unknown, pointer: string): { [arg: string]: CompiledExpression | JsonValue } => {
    const result: { [arg: string]: CompiledExpression | JsonValue } = {};
    for (const [name, value] of Object.entries(raw as { [arg: string]: IrDoc })) {
      setOwn(result, name, 'literal' in value ? (value.literal as JsonValue) : expression(value as unknown as IrExpression, `${pointer}${ptr(name)}`));
    }
    return result;
  };

  const steps: LoadedStep[] = (skill.steps as IrDoc[]).map((step, index) => {
    const here = `${base}${ptr('steps', index)}`;
    const forEach = step.for_each as { over: IrExpression; as: string; concurrency: number } | null;
    const common = {
      id: String(step.id),
      dependsOn: step.depends_on as string[],
      source: at(`/steps/${index}`),
      ...(typeof step.description === 'string' ? { description: step.description } : {}),
      ...(step.when === null ? {} : { when: expression(step.when as IrExpression, `${here}/when`) }),
      ...(forEach === null ? {} : { forEach: { over: expression(forEach.over, `${here}/for_each/over`), as: forEach.as, concurrency: forEach.concurrency } }),
    };
    if (step.kind === 'prompt') {
      const output = step.output as { kind: 'text' } | { kind: 'schema'; from: string; schema: JsonSchema };
      return {
        kind: 'prompt',
        ...common,
        ...(step.system === null ? {} : { system: template(step.system as IrExpression, `${here}/system`) }),
        user: template(step.user as IrExpression, `${here}/user`),
        output: output.kind === 'text' ? { kind: 'text' } : { kind: 'schema', schema: output.schema, name: output.from === 'outputs' ? `${String(skill.name)}_output` : `${String(step.id)}_output` },
        tools: step.tools as string[],
        maxToolIterations: typeof step.max_tool_iterations === 'number' ? step.max_tool_iterations : 8,
        ...(typeof step.engine === 'string' ? { engine: step.engine } : {}),
        params: step.params as ModelParams,
        ...(Array.isArray(step.messages)
          ? { messages: (step.messages as Array<{ role: 'user' | 'assistant'; content: IrExpression }>).map((m, j) => ({ role: m.role, content: template(m.content, `${here}${ptr('messages', j, 'content')}`) })) }
          : {}),
        ...(Array.isArray(step.attach)
          ? {
              attachments: (step.attach as Array<{ kind: 'image' | 'document'; media: 'image' | 'pdf' | 'text'; value: IrExpression; title: string | null; cache: boolean }>).map((a, j) => ({
                kind: a.kind,
                media: a.media,
                value: expression(a.value, `${here}${ptr('attach', j, 'value')}`),
                ...(a.title === null ? {} : { title: a.title }),
                cache: a.cache,
              })),
            }
          : {}),
        ...(step.cache ? { cache: step.cache as { system: boolean; tools: boolean } } : {}),
      };
    }
    if (step.kind === 'use') return { kind: 'use', ...common, use: String(step.use), with: args(step.with, `${here}/with`) };
    return { kind: 'tool', ...common, tool: String(step.tool), with: args(step.with, `${here}/with`) };
  });

  const dependencies: { [alias: string]: Dependency } = {};
  for (const [alias, raw] of Object.entries(skill.uses as { [alias: string]: IrDoc })) {
    const entry = `${base}${ptr('uses', alias)}`;
    const target = dependency(String(raw.skill), `${entry}/skill`);
    if (target.hash !== raw.hash) {
      throw new IrLoadError(IrErrorCode.BrokenReference, file, `uses.${alias} pins ${String(raw.hash)} but \`${String(raw.skill)}\` has ${target.hash}; recompile`, at(`/uses/${alias}`), { pointer: `${entry}/hash` });
    }
    dependencies[alias] = {
      alias,
      reference: String(raw.reference),
      ...(typeof raw.range === 'string' ? { versionRange: raw.range } : {}),
      expectedHash: String(raw.hash),
      skill: target,
      source: at(`/uses/${alias}`),
    };
  }

  const tools: LoadedSkill['tools'] = {};
  for (const [name, raw] of Object.entries(skill.tools as { [name: string]: IrDoc })) {
    tools[name] = {
      name,
      description: String(raw.description),
      parameters: raw.parameters as JsonSchema,
      ...(raw.returns === null ? {} : { returns: raw.returns as JsonSchema }),
      source: at(`/tools/${name}`),
    };
  }

  const requires = skill.requires as { context_window: number | null; features: ModelFeature[] };
  const engines = skill.engines as { prefer: string[]; models: { [engine: string]: string }; params: ModelParams };
  const memory = skill.memory as {
    conversation: boolean;
    ttl_s: number | null;
    max_turns: number | null;
    summarize?: { engine: string | null; prompt: string | null; keep_recent: number | null };
  };
  return {
    name: String(skill.name),
    version: String(skill.version),
    hash: String(skill.hash),
    file: skillFile,
    description: String(skill.description),
    inputs: skill.inputs as JsonSchema,
    ...(skill.outputs === null ? {} : { outputs: skill.outputs as JsonSchema }),
    requires: { ...(requires.context_window === null ? {} : { context_window: requires.context_window }), features: requires.features },
    engines,
    tools,
    steps,
    returns: expression(skill.return as IrExpression, `${base}/return`),
    policies: policiesFrom(skill.policies as IrDoc),
    memory: {
      conversation: memory.conversation,
      ...(memory.ttl_s === null ? {} : { ttl_s: memory.ttl_s }),
      ...(memory.max_turns === null ? {} : { max_turns: memory.max_turns }),
      ...(memory.summarize === undefined
        ? {}
        : {
            summarize: {
              ...(memory.summarize.engine === null ? {} : { engine: memory.summarize.engine }),
              ...(memory.summarize.prompt === null ? {} : { prompt: memory.summarize.prompt }),
              ...(memory.summarize.keep_recent === null ? {} : { keep_recent: memory.summarize.keep_recent }),
            },
          }),
    },
    dependencies,
    sourceMap,
  };
}

/** The IR's normalized policies (every member present, `null` = not set) in the skill-file form. */
function policiesFrom(raw: IrDoc): Policies {
  const policies: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) continue;
    if (key === 'redact') {
      policies.redact = (value as Array<{ kind: string; name: string; pattern?: string }>).map((r) =>
        r.kind === 'builtin' ? r.name : { name: r.name, pattern: String(r.pattern) },
      );
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      policies[key] = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
    } else policies[key] = value;
  }
  return policies as Policies;
}
