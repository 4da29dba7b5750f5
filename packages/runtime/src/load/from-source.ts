/**
 * Development loading: compiles a `*.skill.yaml` on the fly into a {@link LoadedSkill} with the
 * compiler's front end (parse → schema → semantic checks) and expression engine, so a host can run
 * a skill without a build step. Production hosts load compiled IR instead; this path skips the
 * lockfile (dependent skills are read from `./relative.skill.yaml` paths inside the project).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  attachmentKey,
  bindSkill,
  declaredMediaType,
  checkBytes,
  findProjectRoot,
  hasErrors,
  isInside,
  rangeOfPath,
  sha256,
  type FileResult,
  type ValuePath,
} from '@sdl/compiler';
import type { JsonSchema, JsonValue, ModelFeature } from '@sdl/adapters';
import { SdlRuntimeError } from '../run/errors.js';
import type { ExpressionLimits } from './cel.js';
import { celExpression, celTemplate } from './cel-source.js';
import { SkillCompileError, type SourceLoadOptions } from './skill-compile-error.js';
import type {
  CompiledExpression,
  DeclaredTool,
  Dependency,
  LoadedSkill,
  SummarizePolicy,
  LoadedStep,
  ModelParams,
  OutputMode,
  SourceLocation,
} from './loaded-skill.js';
import { setOwn } from '../run/set-own.js';

type Doc = { [key: string]: unknown };
const asDoc = (value: unknown): Doc => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {});

/** Builds a LoadedSkill from a checked file; `dependencies` are the already loaded `uses:` skills. */
export function buildLoadedSkill(
  result: FileResult,
  dependencies: { [alias: string]: LoadedSkill },
  limits?: ExpressionLimits,
): LoadedSkill {
  if (result.skill === undefined || result.parsed === undefined || hasErrors(result.diagnostics)) {
    throw new SkillCompileError(result.file, result.diagnostics);
  }
  const parsed = result.parsed;
  const doc = result.skill;
  const at = (valuePath: ValuePath): SourceLocation => {
    const { start } = rangeOfPath({ source: parsed.source, document: parsed.document }, valuePath);
    return { file: result.file, line: start.line, column: start.column };
  };
  const sourceMap: { [nodeId: string]: SourceLocation } = {};
  const located = (valuePath: ValuePath): SourceLocation => (sourceMap[valuePath.join('.')] = at(valuePath));
  const expression = (text: string, valuePath: ValuePath): CompiledExpression => celExpression(text, located(valuePath), limits);

  const engines = asDoc(doc.engines);
  // Engine names keyed by JSON pointer, as the IR's source map keys them (unknown-engines.ts reads them).
  if (Array.isArray(engines.prefer)) engines.prefer.forEach((_, i) => (sourceMap[`/engines/prefer/${i}`] = at(['engines', 'prefer', i])));
  for (const model of Object.keys(asDoc(engines.models))) {
    sourceMap[`/engines/models/${model.replaceAll('~', '~0').replaceAll('/', '~1')}`] = at(['engines', 'models', model]);
  }
  const summarizeEngine = asDoc(asDoc(doc.memory).summarize).engine;
  if (typeof summarizeEngine === 'string') sourceMap['/memory/summarize/engine'] = at(['memory', 'summarize', 'engine']);
  const tools: { [name: string]: DeclaredTool } = {};
  for (const [name, raw] of Object.entries(asDoc(doc.tools))) {
    const tool = asDoc(raw);
    tools[name] = {
      name,
      description: String(tool.description ?? ''),
      parameters: (tool.parameters ?? { type: 'object' }) as JsonSchema,
      ...(tool.returns === undefined ? {} : { returns: tool.returns as JsonSchema }),
      source: located(['tools', name]),
    };
  }

  const rawSteps = Array.isArray(doc.steps) ? (doc.steps as unknown[]) : [];
  const steps: LoadedStep[] = [];
  // The step graph the compiler derives from the parsed expressions (the same edges the IR carries).
  const edges = new Map(bindSkill(parsed).bound.steps.map((s) => [s.id, s.dependsOn]));
  rawSteps.forEach((raw, index) => {
    const step = asDoc(raw);
    const id = String(step.id);
    const base: ValuePath = ['steps', index];
    const expr = (text: unknown, key: ValuePath) => expression(String(text), [...base, ...key]);
    const withArgs = (): { [arg: string]: CompiledExpression | JsonValue } => {
      const args: { [arg: string]: CompiledExpression | JsonValue } = {};
      for (const [name, value] of Object.entries(asDoc(step.with))) {
        setOwn(args, name, typeof value === 'string' ? expr(value, ['with', name]) : (value as JsonValue));
      }
      return args;
    };
    const common = {
      id,
      source: located(base),
      ...(typeof step.description === 'string' ? { description: step.description } : {}),
      ...(step.when === undefined ? {} : { when: expr(step.when, ['when']) }),
      ...(step.for_each === undefined
        ? {}
        : {
            forEach: {
              over: expr(step.for_each, ['for_each']),
              as: typeof step.as === 'string' ? step.as : 'item',
              ...(typeof step.concurrency === 'number' ? { concurrency: step.concurrency } : {}),
            },
          }),
    };
    let built: LoadedStep;
    if (step.prompt !== undefined) {
      const prompt = asDoc(step.prompt);
      const output: OutputMode =
        step.output === undefined || step.output === 'text'
          ? { kind: 'text' }
          : step.output === 'outputs'
            ? { kind: 'schema', schema: (doc.outputs ?? {}) as JsonSchema, name: `${String(doc.name)}_output` }
            : { kind: 'schema', schema: step.output as JsonSchema, name: `${id}_output` };
      built = {
        kind: 'prompt',
        ...common,
        dependsOn: [],
        user: celTemplate(String(prompt.user ?? ''), located([...base, 'prompt', 'user']), limits),
        ...(prompt.system === undefined ? {} : { system: celTemplate(String(prompt.system), located([...base, 'prompt', 'system']), limits) }),
        output,
        tools: Array.isArray(step.tools) ? step.tools.map(String) : [],
        maxToolIterations: typeof step.max_tool_iterations === 'number' ? step.max_tool_iterations : 8,
        ...(typeof step.engine === 'string' ? { engine: step.engine } : {}),
        ...(step.params === undefined ? {} : { params: step.params as ModelParams }),
        ...(Array.isArray(prompt.messages)
          ? {
              messages: prompt.messages.map((m, i) => {
                const turn = asDoc(m);
                return { role: turn.role === 'assistant' ? ('assistant' as const) : ('user' as const), content: celTemplate(String(turn.content ?? ''), located([...base, 'prompt', 'messages', i, 'content']), limits) };
              }),
            }
          : {}),
        ...(Array.isArray(prompt.attach)
          ? {
              attachments: prompt.attach.map((raw, i) => {
                const item = asDoc(raw);
                const kind = attachmentKey(item) ?? 'document';
                const text = String(item[kind] ?? '');
                const input = /^\s*inputs\.([A-Za-z_]\w*)\s*$/.exec(text)?.[1];
                const media = kind === 'image' ? ('image' as const) : input !== undefined && declaredMediaType(doc.inputs, input) === 'text/plain' ? ('text' as const) : ('pdf' as const);
                return { kind, media, value: expr(text, ['prompt', 'attach', i, kind]), ...(typeof item.title === 'string' ? { title: item.title } : {}), cache: item.cache === true };
              }),
            }
          : {}),
        ...(Array.isArray(prompt.cache) ? { cache: { system: prompt.cache.includes('system'), tools: prompt.cache.includes('tools') } } : {}),
      };
    } else if (step.use !== undefined) {
      built = { kind: 'use', ...common, dependsOn: [], use: String(step.use), with: withArgs() };
    } else {
      built = { kind: 'tool', ...common, dependsOn: [], tool: String(step.tool), with: withArgs() };
    }
    built.dependsOn = [...(edges.get(id) ?? [])];
    steps.push(built);
  });

  const uses = asDoc(doc.uses);
  const loadedDependencies: { [alias: string]: Dependency } = {};
  for (const [alias, raw] of Object.entries(uses)) {
    const use = asDoc(raw);
    const skill = dependencies[alias];
    if (skill === undefined) continue;
    loadedDependencies[alias] = {
      alias,
      reference: String(use.skill),
      ...(typeof use.version === 'string' ? { versionRange: use.version } : {}),
      skill,
      source: located(['uses', alias]),
    };
  }

  const requires = asDoc(doc.requires);
  const memory = doc.memory === undefined ? undefined : asDoc(doc.memory);
  return {
    name: String(doc.name),
    version: String(doc.version),
    hash: `sha256:${sha256(parsed.source.text)}`,
    file: result.file,
    description: String(doc.description ?? ''),
    inputs: (doc.inputs ?? { type: 'object' }) as JsonSchema,
    ...(doc.outputs === undefined ? {} : { outputs: doc.outputs as JsonSchema }),
    requires: {
      ...(typeof requires.context_window === 'number' ? { context_window: requires.context_window } : {}),
      ...(Array.isArray(requires.features) ? { features: requires.features as ModelFeature[] } : {}),
    },
    engines: {
      prefer: Array.isArray(engines.prefer) ? engines.prefer.map(String) : [],
      models: asDoc(engines.models) as { [engine: string]: string },
      params: asDoc(engines.params) as ModelParams,
    },
    tools,
    steps,
    ...(typeof doc.return === 'string' ? { returns: expression(doc.return, ['return']) } : {}),
    policies: asDoc(doc.policies),
    ...(memory === undefined
      ? {}
      : {
          memory: {
            conversation: memory.conversation === true,
            ...(typeof memory.ttl_s === 'number' ? { ttl_s: memory.ttl_s } : {}),
            ...(typeof memory.max_turns === 'number' ? { max_turns: memory.max_turns } : {}),
            ...summarizeFrom(memory.summarize),
          },
        }),
    dependencies: loadedDependencies,
    sourceMap,
  };
}

/** `memory.summarize` as written (`true` or an object) in the loaded form; absent when off. */
function summarizeFrom(value: unknown): { summarize?: SummarizePolicy } {
  if (value === undefined || value === false) return {};
  const s = asDoc(value);
  return {
    summarize: {
      ...(typeof s.engine === 'string' ? { engine: s.engine } : {}),
      ...(typeof s.prompt === 'string' ? { prompt: s.prompt } : {}),
      ...(typeof s.keep_recent === 'number' ? { keep_recent: s.keep_recent } : {}),
    },
  };
}

/**
 * Reads, checks and builds a skill file and, recursively, the `./relative` skills it `uses:`.
 * Throws {@link SkillCompileError} with the compiler's diagnostics when a file has errors.
 */
export async function loadSkillSource(file: string, options: SourceLoadOptions = {}, loading: string[] = []): Promise<LoadedSkill> {
  const absolute = path.resolve(file);
  const root = options.projectRoot ?? findProjectRoot(path.dirname(absolute));
  if (loading.includes(absolute)) {
    throw new SdlRuntimeError('dependency_cycle', `skills use each other in a cycle: ${[...loading, absolute].map((p) => path.relative(root, p)).join(' -> ')}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    throw new SdlRuntimeError('skill_unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const shown = path.relative(process.cwd(), absolute) || absolute;
  const result = checkBytes(bytes, shown.startsWith('..') ? absolute : shown);
  if (result.skill === undefined || hasErrors(result.diagnostics)) throw new SkillCompileError(result.file, result.diagnostics);

  const dependencies: { [alias: string]: LoadedSkill } = {};
  for (const [alias, raw] of Object.entries(asDoc(result.skill.uses))) {
    const reference = String(asDoc(raw).skill);
    if (!reference.startsWith('./') && !reference.startsWith('../')) {
      throw new SdlRuntimeError(
        'dependency_unsupported',
        `uses.${alias}: \`${reference}\` is a package reference; compile the skill (skillc compile) to resolve packages`,
      );
    }
    const target = path.resolve(path.dirname(absolute), reference);
    if (!isInside(root, target)) {
      throw new SdlRuntimeError('dependency_outside_project', `uses.${alias}: \`${reference}\` points outside the project (${root})`);
    }
    dependencies[alias] = await loadSkillSource(target, { ...options, projectRoot: root }, [...loading, absolute]);
  }
  return buildLoadedSkill(result, dependencies, options.limits);
}
