import { asArray, isRecord } from '../check/context.js';
import { makeDiagnostic } from '../diagnostics/codes.js';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import type { ExprNode, TemplateAst } from '../expr/ast.js';
import { checkExpression, checkTemplate, type Scope } from '../expr/check.js';
import { ExprCode, type ExprDiagnostic } from '../expr/expr-diagnostic.js';
import { toDiagnostics } from '../expr/position.js';
import { Types, type ExprType } from '../expr/types.js';
import { didYouMean } from '../util/suggest.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { rangeOfPath, type ValuePath } from '../yaml/ranges.js';
import { checkArguments, type ArgumentValue } from './arguments.js';
import type { CompiledSource } from './compiled-source.js';
import { attachmentKey, compileSources, pointerSegment } from './compile-sources.js';
import { attachmentProblem } from './attachments.js';
import { globalScope, loopScope as loopScopeOf, type DependencyInterfaces } from './scopes.js';
import { orderSteps } from './step-graph.js';
import { stepReferences } from './step-references.js';

/** What the binder learned about one step. */
export interface BoundStep {
  id: string;
  /** Position in `steps:`. */
  index: number;
  /** Ids of the steps whose output it reads, in declaration order. */
  dependsOn: string[];
}

/** A checked skill: its compiled expressions/templates by IR pointer, its steps and their order. */
export interface BoundSkill {
  /** Keyed by the IR JSON pointer (`/steps/1/user`, `/steps/0/with/text`, `/return`). */
  sources: Map<string, CompiledSource>;
  steps: BoundStep[];
  /** Step ids in a topological order of `dependsOn`, ties in declaration order. */
  order: string[];
}

/** Options of `bindSkill`. */
export interface BindOptions {
  /** The interfaces of the skills the `uses:` aliases resolved to; without it use steps are dyn. */
  dependencies?: DependencyInterfaces;
  /**
   * The skill's sources as `compileSources` returned them for this very file (a build compiles
   * them once, right after the front end, so the YAML document need not be kept for binding).
   */
  compiled?: ReadonlyMap<string, CompiledSource>;
}

export { pointerSegment } from './compile-sources.js';

/**
 * The expression stage: parses every `when`, `for_each`, `with:` string, `return` and prompt
 * template; builds the step graph from `steps.<id>` reads (unknown steps and cycles are errors);
 * type-checks each against its scope (`inputs`, `steps`, the loop variable and `index`); and
 * checks `with:` arguments against the used skill's `inputs` or the tool's `parameters`.
 * Tolerates schema-invalid values (skips what it cannot read); never throws on bad input.
 */
export function bindSkill(parsed: ParsedSkill, options: BindOptions = {}): { diagnostics: Diagnostic[]; bound: BoundSkill } {
  const diagnostics: Diagnostic[] = [];
  const { source } = parsed;
  const file = source.path;
  const skill = isRecord(parsed.value) ? parsed.value : {};
  const sources = new Map<string, CompiledSource>();
  const rawSteps = asArray(skill.steps);

  const stepIds: string[] = [];
  const knownIds = new Set<string>();
  rawSteps.forEach((step) => {
    if (!isRecord(step) || typeof step.id !== 'string' || knownIds.has(step.id)) return;
    stepIds.push(step.id);
    knownIds.add(step.id);
  });
  const globals = globalScope(skill, options.dependencies);

  const compiledSources = options.compiled ?? compileSources(parsed);
  const report = (compiled: CompiledSource, list: readonly ExprDiagnostic[]) => diagnostics.push(...toDiagnostics(list, compiled.mapOffset, source));

  /** Parses, records and type-checks one scalar; returns it (undefined when absent or not a string). */
  const compile = (pointer: string, kind: CompiledSource['kind'], scope: Scope, expect?: { type: ExprType; role: string }): { compiled: CompiledSource; type: ExprType } | undefined => {
    const compiled = compiledSources.get(pointer);
    if (!compiled) return undefined;
    if (compiled.kind !== kind) throw new Error(`internal error: ${pointer} was compiled as ${compiled.kind}, bound as ${kind}`);
    sources.set(pointer, compiled);
    report(compiled, compiled.diagnostics);
    if (!compiled.ast) return { compiled, type: Types.dyn };
    if (kind === 'template') {
      report(compiled, checkTemplate(compiled.ast as TemplateAst, scope).diagnostics);
      return { compiled, type: Types.string };
    }
    const checked = checkExpression(compiled.ast as ExprNode, scope, expect ? { expectType: expect.type, role: expect.role } : {});
    report(compiled, checked.diagnostics);
    return { compiled, type: checked.type };
  };

  /** Step ids read by a compiled source; unknown ids and dynamic `steps` access are reported. */
  const readsOf = (compiled: CompiledSource, self: string | undefined): string[] => {
    if (!compiled.ast) return [];
    const ids: string[] = [];
    for (const ref of stepReferences(compiled.ast)) {
      if (ref.id !== undefined && knownIds.has(ref.id)) {
        ids.push(ref.id);
        continue;
      }
      const range = toDiagnostics([{ code: '', message: '', start: ref.start, end: ref.end }], compiled.mapOffset, source)[0]!.range;
      if (ref.id === undefined) {
        diagnostics.push(makeDiagnostic('SDL4107', file, range, 'read a step\'s output by its id: `steps.<id>.output`', 'the step graph is built from the step ids an expression names; a computed step name cannot be scheduled'));
      } else if (!knownIds.has(ref.id)) {
        const others = stepIds.filter((id) => id !== self);
        diagnostics.push(makeDiagnostic('SDL4107', file, range, `there is no step \`${ref.id}\``, didYouMean(ref.id, others) ?? (others.length > 0 ? `steps: ${others.join(', ')}` : 'this skill has no other step')));
      } else ids.push(ref.id);
    }
    return ids;
  };

  const bound: BoundStep[] = [];
  const reads = new Map<string, { id: string; range: Range }[]>();
  rawSteps.forEach((step, index) => {
    if (!isRecord(step)) return;
    const id = typeof step.id === 'string' ? step.id : undefined;
    const at = (...rest: (string | number)[]): ValuePath => ['steps', index, ...rest];
    const ptr = (...rest: (string | number)[]) => `/steps/${index}${rest.map((r) => `/${pointerSegment(r)}`).join('')}`;
    const read: CompiledSource[] = [];
    const add = (r: { compiled: CompiledSource } | undefined) => r && read.push(r.compiled);

    // `when:` is decided once, before the loop (the runtime skips the whole step): no loop variable.
    add(compile(ptr('when'), 'expression', globals, { type: Types.bool, role: '`when:`' }));
    let loopScope: Scope = globals;
    if (step.for_each !== undefined) {
      const over = compile(ptr('for_each', 'over'), 'expression', globals, { type: Types.list(Types.dyn), role: '`for_each:`' });
      add(over);
      loopScope = loopScopeOf(globals, step, over ? over.type : Types.dyn);
    }
    if (isRecord(step.prompt)) {
      add(compile(ptr('system'), 'template', loopScope));
      add(compile(ptr('user'), 'template', loopScope));
      asArray(step.prompt.messages).forEach((_, m) => add(compile(ptr('messages', m, 'content'), 'template', loopScope)));
      asArray(step.prompt.attach).forEach((item, a) => {
        const key = attachmentKey(item);
        if (key === undefined) return;
        const r = compile(ptr('attach', a, 'value'), 'expression', loopScope);
        add(r);
        const problem = r?.compiled.ast ? attachmentProblem(key, r.compiled.ast as ExprNode, r.type, skill.inputs) : undefined;
        if (problem) diagnostics.push(makeDiagnostic(problem.code, file, rangeOfPath(parsed, at('prompt', 'attach', a, key)), problem.message, problem.hint));
      });
    }
    if (isRecord(step.with)) {
      const args = new Map<string, ArgumentValue>();
      for (const [name, value] of Object.entries(step.with)) {
        if (typeof value === 'string') {
          const r = compile(ptr('with', name), 'expression', loopScope);
          add(r);
          args.set(name, r ? { kind: 'expression', type: r.compiled.ast ? r.type : Types.dyn } : { kind: 'expression', type: Types.dyn });
        } else args.set(name, { kind: 'literal', value });
      }
      const callee = calleeOf(step, skill, options.dependencies);
      if (callee) {
        for (const problem of checkArguments(args, callee.schema, callee.name)) {
          const range = problem.kind === 'missing' ? rangeOfPath(parsed, at('with'), 'key') : problem.kind === 'unknown' ? rangeOfPath(parsed, at('with', problem.name), 'key') : rangeOfPath(parsed, at('with', problem.name));
          if (problem.kind === 'type') diagnostics.push({ code: ExprCode.WrongType, severity: 'error', message: problem.message, file, range, ...(problem.hint ? { hint: problem.hint } : {}) });
          else diagnostics.push(makeDiagnostic(problem.kind === 'missing' ? 'SDL4110' : 'SDL4109', file, range, problem.message, problem.hint));
        }
      }
    } else {
      const callee = calleeOf(step, skill, options.dependencies);
      if (callee) {
        for (const problem of checkArguments(new Map(), callee.schema, callee.name)) {
          diagnostics.push(makeDiagnostic('SDL4110', file, rangeOfPath(parsed, at(typeof step.use === 'string' ? 'use' : 'tool')), problem.message, 'add `with: { ... }` giving it'));
        }
      }
    }
    if (id === undefined || reads.has(id)) return;
    const refs: { id: string; range: Range }[] = [];
    for (const compiled of read) {
      for (const dep of readsOf(compiled, id)) refs.push({ id: dep, range: compiled.range });
    }
    reads.set(id, refs);
    const deps = new Set(refs.map((r) => r.id));
    bound.push({ id, index, dependsOn: stepIds.filter((s) => deps.has(s)) });
  });

  // `return:` sees every step's output; it adds no edge (it runs after all steps).
  const ret = compile('/return', 'expression', globals);
  if (ret) readsOf(ret.compiled, undefined);

  const { order, cycles } = orderSteps(bound);
  for (const cycle of cycles) {
    const step = bound.find((s) => s.id === cycle.from)!;
    const range = firstReadRange(parsed, step.index, cycle.to, sources) ?? rangeOfPath(parsed, ['steps', step.index, 'id']);
    const loop = cycle.path.map((s) => `\`${s}\``).join(' → ');
    diagnostics.push(makeDiagnostic('SDL4108', file, range,
      cycle.path.length === 2 ? `step \`${cycle.from}\` reads its own output` : `steps read each other's outputs in a cycle: ${loop}`,
      'a step can only read the outputs of steps that finish before it; remove one of these reads'));
  }
  return { diagnostics, bound: { sources, steps: bound, order } };
}

/** The schema a step's `with:` is checked against, and how messages name it. */
function calleeOf(step: Record<string, unknown>, skill: Record<string, unknown>, dependencies: DependencyInterfaces | undefined): { schema: unknown; name: string } | undefined {
  if (typeof step.use === 'string') {
    const dep = dependencies?.get(step.use);
    if (!dep) return undefined;
    return { schema: dep.inputs === undefined ? { type: 'object', properties: {} } : dep.inputs, name: `skill \`${step.use}\`` };
  }
  if (typeof step.tool === 'string' && isRecord(skill.tools)) {
    const tool = skill.tools[step.tool];
    if (isRecord(tool) && isRecord(tool.parameters)) return { schema: tool.parameters, name: `tool \`${step.tool}\`` };
  }
  return undefined;
}

/** The exact range of step `index`'s first read of `steps.<target>`, for the cycle diagnostic. */
function firstReadRange(parsed: ParsedSkill, index: number, target: string, sources: Map<string, CompiledSource>): Range | undefined {
  const prefix = `/steps/${index}/`;
  for (const [pointer, compiled] of sources) {
    if (!pointer.startsWith(prefix) || !compiled.ast) continue;
    const ref = stepReferences(compiled.ast).find((r) => r.id === target);
    if (ref) return toDiagnostics([{ code: '', message: '', start: ref.start, end: ref.end }], compiled.mapOffset, parsed.source)[0]!.range;
  }
  return undefined;
}
