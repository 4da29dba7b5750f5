import type { Node } from 'yaml';
import { asArray, isRecord } from '../check/context.js';
import type { BoundSkill } from '../bind/bind-skill.js';
import { pointerSegment } from '../bind/bind-skill.js';
import type { CompiledSource } from '../bind/compiled-source.js';
import type { ExprNode, TemplateAst } from '../expr/ast.js';
import { parseExpression } from '../expr/parser.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { locatePath, type ValuePath } from '../yaml/ranges.js';
import type { IrArgument, IrExpression, IrOutput, IrPromptStep, IrSkill, IrSourceLocation, IrStep, IrTemplate, IrUse, Json } from './ir-types.js';
import { normalizePolicies } from './policies.js';
import { CanonicalParts, hashSkill } from './skill-text.js';
import { attachmentKey } from '../bind/compile-sources.js';
import { attachmentMedia } from '../bind/attachments.js';

/** What the emitter needs for one skill; everything comes from earlier stages, nothing is re-parsed. */
export interface SkillEmitInput {
  /** The skill id (root-relative path, or `npm:<package>/<skill>`). */
  id: string;
  /** Root-relative POSIX path of the source file (what the source map's `file` says). */
  file: string;
  /** SHA-256 hex of the source file's bytes. */
  sha256: string;
  parsed: ParsedSkill;
  /** The validated skill value with schema defaults filled in (`FileResult.skill`). */
  skill: Record<string, unknown>;
  bound: BoundSkill;
  /** Each `uses:` alias's resolved skill id and that skill's IR hash. */
  uses: ReadonlyMap<string, { skill: string; hash: string }>;
  /** `nodeRangesOf(parsed)`, when the build computed it earlier (then the YAML document is not read). */
  nodeRanges?: ReadonlyMap<string, readonly [number, number]>;
}

/**
 * Offsets of the YAML nodes the source map names besides expressions and templates, by IR
 * pointer: the skill (its `name`), `inputs`, `outputs`, each `uses:` entry, tool and step, and
 * each `with:` argument. Computed while the document is at hand, so emission does not need it.
 */
export function nodeRangesOf(parsed: ParsedSkill): Map<string, readonly [number, number]> {
  const out = new Map<string, readonly [number, number]>();
  const value = record(parsed.value);
  const add = (pointer: string, path: ValuePath) => {
    const found = locatePath(parsed, path);
    const node = found.depth === path.length ? (found.node as Node | null) : undefined;
    if (node?.range) out.set(pointer, [node.range[0], node.range[1]]);
  };
  add('', ['name']);
  add('/inputs', ['inputs']);
  add('/outputs', ['outputs']);
  for (const alias of Object.keys(record(value.uses))) add(`/uses/${pointerSegment(alias)}`, ['uses', alias]);
  for (const tool of Object.keys(record(value.tools))) add(`/tools/${pointerSegment(tool)}`, ['tools', tool]);
  asArray(value.steps).forEach((step, index) => {
    add(`/steps/${index}`, ['steps', index]);
    for (const arg of Object.keys(record(record(step).with))) add(`/steps/${index}/with/${pointerSegment(arg)}`, ['steps', index, 'with', arg]);
  });
  return out;
}

const DEFAULT_CONCURRENCY = 4;
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** `memory.summarize` in the IR: every member present, or absent when the skill does not summarize. */
function summarizeOf(value: unknown): { summarize?: NonNullable<IrSkill['memory']['summarize']> } {
  if (value === undefined || value === false) return {};
  const s = record(value);
  return {
    summarize: {
      engine: typeof s.engine === 'string' ? s.engine : null,
      keep_recent: typeof s.keep_recent === 'number' ? s.keep_recent : null,
      prompt: typeof s.prompt === 'string' ? s.prompt : null,
    },
  };
}

/** `memory` in the IR, members in key order. */
function memoryOf(memory: Record<string, unknown>): IrSkill['memory'] {
  const out = { conversation: memory.conversation === true, max_turns: orNull(memory.max_turns as number | undefined) } as IrSkill['memory'];
  const { summarize } = summarizeOf(memory.summarize);
  if (summarize) out.summarize = summarize;
  out.ttl_s = orNull(memory.ttl_s as number | undefined);
  return out;
}

/**
 * Builds the IR object of one checked skill (spec/ir.md "A skill"): every member present with
 * defaults filled in, expressions and templates as their compiled ASTs, `depends_on`/`order` from
 * the binder, the source map relative to the project root, and the content hash last.
 */
export function emitSkill(input: SkillEmitInput): IrSkill {
  const { parsed, skill, bound } = input;
  const source = parsed.source;
  // The IR is built in canonical member order (spec/ir.md), so that one `JSON.stringify` of it is
  // its canonical JSON: every object made here has its members in sorted order (optional ones
  // inserted at their place), the ASTs come from the parser so (see ast.ts), and only the JSON
  // values of the YAML (`json`) and the objects keyed by the author's names (`canon.members`) are
  // walked, and copied where out of order. Such values are shared with the parsed YAML when in order.
  const canon = new CanonicalParts();
  const json = (v: unknown): Json => canon.value(v) as Json;
  const sourceMap: Record<string, IrSourceLocation> = {};
  const position = (p: { line: number; column: number }) => ({ column: p.column, line: p.line });
  const at = (start: number, end: number): IrSourceLocation => {
    const range = source.rangeAt(start, end);
    return { end: position(range.end), file: input.file, start: position(range.start) };
  };
  const ranges = input.nodeRanges ?? nodeRangesOf(parsed);
  const mapNode = (pointer: string) => {
    const range = ranges.get(pointer);
    if (range) sourceMap[pointer] = at(range[0], range[1]);
  };
  const compiled = (pointer: string): CompiledSource => {
    const c = bound.sources.get(pointer);
    if (!c || !c.ast) throw new Error(`internal error: no compiled source for ${pointer} in ${input.file}`);
    sourceMap[pointer] = { anchors: c.anchors, end: position(c.range.end), file: input.file, start: position(c.range.start) };
    return c;
  };
  const expression = (pointer: string): IrExpression => {
    const c = compiled(pointer);
    return { ast: c.ast as ExprNode, map: pointer, src: c.src };
  };
  const template = (pointer: string): IrTemplate => {
    const c = compiled(pointer);
    return { ast: c.ast as TemplateAst, map: pointer, src: c.src };
  };

  const name = String(skill.name);
  mapNode('');
  mapNode('/inputs');
  mapNode('/outputs');
  mapNode('/memory/summarize/engine'); // absent unless written: the runtime refuses an engine it lacks there
  const engines = record(skill.engines);
  const baseParams = record(engines.params);
  // Engine names get their own entries: the runtime refuses a name the host does not configure and
  // points at the name itself, not at the skill's first line.
  asArray(engines.prefer).forEach((_, i) => mapNode(`/engines/prefer/${i}`));
  for (const model of Object.keys(record(engines.models))) mapNode(`/engines/models/${pointerSegment(model)}`);

  const uses: Record<string, IrUse> = {};
  for (const [alias, entry] of Object.entries(record(skill.uses))) {
    const resolved = input.uses.get(alias);
    if (!resolved) throw new Error(`internal error: \`uses.${alias}\` of ${input.file} is not resolved`);
    const e = record(entry);
    uses[alias] = { hash: resolved.hash, range: e.version === undefined ? null : String(e.version), reference: String(e.skill), skill: resolved.skill };
    mapNode(`/uses/${pointerSegment(alias)}`);
  }

  const tools: IrSkill['tools'] = {};
  for (const [toolName, tool] of Object.entries(record(skill.tools))) {
    const t = record(tool);
    tools[toolName] = { description: String(t.description ?? ''), parameters: json(t.parameters ?? { properties: {}, type: 'object' }), returns: t.returns === undefined ? null : json(t.returns) };
    mapNode(`/tools/${pointerSegment(toolName)}`);
  }

  // Every object below is built with its members in sorted key order (optional ones inserted at
  // their place), as the IR's canonical JSON orders them (a step built by spreading a common base
  // and sorted afterwards was ~5 % of emission).
  const dependsOn = new Map(bound.steps.map((s) => [s.index, s.dependsOn] as const));
  const steps: IrStep[] = asArray(skill.steps).map((raw, index) => {
    const step = record(raw);
    const ptr = `/steps/${index}`;
    mapNode(ptr);
    const depends_on = [...(dependsOn.get(index) ?? [])];
    const description = typeof step.description === 'string' ? step.description : null;
    const for_each: IrStep['for_each'] = step.for_each === undefined ? null : {
      as: typeof step.as === 'string' ? step.as : 'item',
      concurrency: typeof step.concurrency === 'number' ? step.concurrency : DEFAULT_CONCURRENCY,
      index: 'index' as const,
      over: expression(`${ptr}/for_each/over`),
    };
    const id = String(step.id);
    const when = step.when === undefined ? null : expression(`${ptr}/when`);
    const args = (): Record<string, IrArgument> => {
      // A null prototype, so an argument named `__proto__` is kept as an ordinary key.
      const out = Object.create(null) as Record<string, IrArgument>;
      for (const [arg, value] of Object.entries(record(step.with))) {
        const pointer = `${ptr}/with/${pointerSegment(arg)}`;
        if (typeof value === 'string') out[arg] = expression(pointer);
        else {
          out[arg] = { literal: json(value) };
          mapNode(pointer);
        }
      }
      return canon.members(out);
    };
    if (isRecord(step.prompt)) return promptStep(step, step.prompt, ptr, { depends_on, description, for_each, id, when });
    if (typeof step.use === 'string') return { depends_on, description, for_each, id, kind: 'use', use: step.use, when, with: args() };
    return { depends_on, description, for_each, id, kind: 'tool', tool: String(step.tool), when, with: args() };
  });

  /** A prompt step, members in key order: the optional few-shot turns, attachments and cache marks only when written. */
  function promptStep(step: Record<string, unknown>, prompt: Record<string, unknown>, ptr: string, base: Pick<IrPromptStep, 'depends_on' | 'description' | 'for_each' | 'id' | 'when'>): IrPromptStep {
    const system = prompt.system === undefined ? null : template(`${ptr}/system`);
    const user = template(`${ptr}/user`);
    const output: IrOutput = step.output === undefined || step.output === 'text'
      ? { kind: 'text' }
      : step.output === 'outputs' ? { from: 'outputs', kind: 'schema', schema: json(skill.outputs) } : { from: 'inline', kind: 'schema', schema: json(step.output) };
    const turns = asArray(prompt.messages);
    const messages = turns.length > 0 ? turns.map((t, m) => ({ content: template(`${ptr}/messages/${m}/content`), role: record(t).role === 'assistant' ? ('assistant' as const) : ('user' as const) })) : undefined;
    const items = asArray(prompt.attach);
    const attach = items.length > 0
      ? items.map((item, a) => {
          const kind = attachmentKey(item) ?? 'document';
          const value = expression(`${ptr}/attach/${a}/value`);
          const r = record(item);
          return { cache: r.cache === true, kind, media: attachmentMedia(kind, value.ast, skill.inputs), title: typeof r.title === 'string' ? r.title : null, value };
        })
      : undefined;
    const marks = asArray(prompt.cache);
    const out = {} as IrPromptStep;
    if (attach) out.attach = attach;
    if (marks.length > 0) out.cache = { system: marks.includes('system'), tools: marks.includes('tools') };
    out.depends_on = base.depends_on;
    out.description = base.description;
    out.engine = typeof step.engine === 'string' ? step.engine : null;
    out.for_each = base.for_each;
    out.id = base.id;
    out.kind = 'prompt';
    out.max_tool_iterations = typeof step.max_tool_iterations === 'number' ? step.max_tool_iterations : null;
    if (messages) out.messages = messages;
    out.output = output;
    out.params = json({ ...baseParams, ...record(step.params) }) as Record<string, Json>;
    out.system = system;
    out.tools = asArray(step.tools).map(String);
    out.user = user;
    out.when = base.when;
    return out;
  }

  let ret: IrExpression;
  if (skill.return !== undefined) ret = expression('/return');
  else {
    // No `return:`: the last step's output, mapped to that step.
    const last = steps[steps.length - 1]!;
    const src = `steps.${last.id}.output`;
    ret = { ast: parseExpression(src).ast!, map: '/return', src };
    const stepLocation = sourceMap[`/steps/${steps.length - 1}`];
    if (stepLocation) sourceMap['/return'] = { ...stepLocation };
  }

  const requires = record(skill.requires);
  const ir: IrSkill = {
    description: String(skill.description),
    engines: { models: json(engines.models ?? {}) as Record<string, string>, params: json(baseParams) as Record<string, Json>, prefer: asArray(engines.prefer).map(String) },
    file: input.file,
    hash: '',
    id: input.id,
    inputs: skill.inputs === undefined ? { properties: {}, type: 'object' } : json(skill.inputs),
    memory: json(memoryOf(record(skill.memory))) as IrSkill['memory'],
    name,
    order: [...bound.order],
    outputs: skill.outputs === undefined ? null : json(skill.outputs),
    policies: json(normalizePolicies(skill.policies)) as Record<string, Json>,
    requires: json({ context_window: orNull(requires.context_window as number | undefined), features: asArray(requires.features).map(String) }) as IrSkill['requires'],
    return: ret,
    sha256: input.sha256,
    source_map: canon.members(sourceMap),
    steps,
    tests: asArray(skill.tests).map((raw) => {
      const t = record(raw);
      const replies: Record<string, Json> = {};
      for (const [stepId, reply] of Object.entries(record(t.replies))) replies[stepId] = Array.isArray(reply) ? json(reply) : [json(reply)];
      return { expect: json(t.expect ?? {}), input: json(t.input ?? {}), name: String(t.name), replies: canon.members(replies) };
    }),
    tools: canon.members(tools),
    uses: canon.members(uses),
    version: String(skill.version),
  };
  hashSkill(ir, undefined, canon.canonical);
  return ir;
}

/**
 * The IR of a skill whose source and bindings did not change but whose dependencies' hashes did:
 * a copy of `previous` with `uses.*.hash` re-pinned, re-hashed reusing the text of every other member.
 */
export function repinSkill(previous: IrSkill, uses: ReadonlyMap<string, { skill: string; hash: string }>): IrSkill {
  const pinned: Record<string, IrUse> = {};
  for (const [alias, use] of Object.entries(previous.uses)) {
    const now = uses.get(alias);
    pinned[alias] = now ? { ...use, skill: now.skill, hash: now.hash } : use;
  }
  const ir: IrSkill = { ...previous, uses: pinned, hash: '' };
  hashSkill(ir, previous);
  return ir;
}
