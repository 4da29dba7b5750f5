/**
 * The names a skill file declares and where each is used: step ids, tools, `uses:` aliases and
 * inputs. Definition, references and rename all read this one table. Inputs cross files: the
 * `with:` keys of every step that uses the skill name them too.
 */
import { isScalar, type Node, type Pair } from 'yaml';
import { locatePath, stepReferences, type ExprNode, type ParsedSkill } from '@sdl/compiler';
import { compiledOf, fileSpan, locate, sourceAt, walkExpressions } from './document.js';
import type { Project, SkillFile } from './project.js';
import { isRecord } from './util.js';

/** A named thing of one skill file. */
export interface SkillSymbol {
  kind: 'step' | 'tool' | 'alias' | 'input';
  name: string;
  /** The file that declares it (absolute path). */
  file: string;
}

/** One place a symbol is written: a file and the offsets of exactly the name. */
export interface Occurrence {
  file: string;
  start: number;
  end: number;
  /** True for the declaration (`id:`, the `tools:` / `uses:` key, the input's schema property). */
  declaration: boolean;
}

/** What the cursor names, or undefined. `target` is set for a `use:` / `skill:` value: the used skill's file. */
export interface SymbolAtCursor {
  symbol?: SkillSymbol;
  /** The span of the name under the cursor. */
  start: number;
  end: number;
  /** A `use:` alias or a `uses: … skill:` path: the file of the skill it resolves to. */
  target?: string;
  /** A loop variable: the offsets of its `as:` value (when written). */
  loopVariable?: [number, number];
}

/** The offsets of a scalar's text without its quotes. */
export function scalarSpan(node: Node | null | undefined): [number, number] | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const [r0, r1] = node.range;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  return quoted ? [r0 + 1, r1 - 1] : [r0, r1];
}

const steps = (value: unknown): unknown[] => (isRecord(value) && Array.isArray(value.steps) ? value.steps : []);

/** The symbol under the cursor. */
export function symbolAt(project: Project, file: SkillFile, offset: number): SymbolAtCursor | undefined {
  const parsed = file.result.parsed;
  if (!parsed?.ok) return undefined;
  const here = (kind: SkillSymbol['kind'], name: string, at: string = file.path): SkillSymbol => ({ kind, name, file: at });
  const at = sourceAt(parsed, offset);
  if (at?.compiled.ast) {
    const vo = at.valueOffset;
    for (const ref of stepReferences(at.compiled.ast)) {
      if (ref.id !== undefined && vo >= ref.start && vo <= ref.end) {
        const [start, end] = fileSpan(at.compiled, ref.start, ref.end);
        return { symbol: here('step', ref.id), start, end };
      }
    }
    let found: SymbolAtCursor | undefined;
    walkExpressions(at.compiled.ast, (node) => {
      if (found) return;
      if ((node.kind === 'select' || node.kind === 'has') && node.operand.kind === 'ident' && node.operand.name === 'inputs') {
        if (vo >= node.fieldStart && vo <= node.fieldStart + node.field.length) {
          const [start, end] = fileSpan(at.compiled, node.fieldStart, node.fieldStart + node.field.length);
          found = { symbol: here('input', node.field), start, end };
        }
      } else if (node.kind === 'ident' && vo >= node.start && vo <= node.end) {
        const loop = loopVariableDeclaration(parsed, at.pointer, node.name);
        if (loop) {
          const [start, end] = fileSpan(at.compiled, node.start, node.end);
          found = { start, end, loopVariable: loop };
        }
      }
    });
    return found;
  }
  const where = locate(parsed, offset);
  const p = where.path;
  const span = where.inKey ? scalarSpan(where.node) : scalarSpan(where.node);
  if (!span) return undefined;
  const text = isScalar(where.node) ? String(where.node.value) : '';
  const value = parsed.value;
  const result = (symbol: SkillSymbol | undefined, extra: Partial<SymbolAtCursor> = {}): SymbolAtCursor => ({ ...(symbol ? { symbol } : {}), start: span[0], end: span[1], ...extra });
  if (p[0] === 'steps' && p.length === 3 && !where.inKey) {
    if (p[2] === 'id') return result(here('step', text));
    if (p[2] === 'tool') return result(here('tool', text));
    if (p[2] === 'use') {
      const target = dependencyFile(project, file, text);
      return result(here('alias', text), target ? { target } : {});
    }
  }
  if (p[0] === 'steps' && p[2] === 'tools' && p.length === 4 && !where.inKey) return result(here('tool', text));
  if (p[0] === 'tools' && p.length === 2 && where.inKey) return result(here('tool', text));
  if (p[0] === 'uses' && p.length === 2 && where.inKey) {
    const target = dependencyFile(project, file, text);
    return result(here('alias', text), target ? { target } : {});
  }
  if (p[0] === 'uses' && p.length === 3 && p[2] === 'skill' && !where.inKey) {
    const target = dependencyFile(project, file, String(p[1]));
    return target ? result(undefined, { target }) : undefined;
  }
  if (p[0] === 'inputs' && p[1] === 'properties' && p.length === 3 && where.inKey) return result(here('input', text));
  if (p[0] === 'inputs' && p[1] === 'required' && p.length === 3 && !where.inKey) return result(here('input', text));
  if (p[0] === 'tests' && p[2] === 'input' && p.length === 4 && where.inKey) return result(here('input', text));
  if (p[0] === 'tests' && p[2] === 'replies' && p.length === 4 && where.inKey && !text.includes('.')) return result(here('step', text));
  if (p[0] === 'steps' && p[2] === 'with' && p.length === 4 && where.inKey) {
    const step = steps(value)[p[1] as number];
    if (isRecord(step) && typeof step.use === 'string') {
      const target = dependencyFile(project, file, step.use);
      if (target) return result(here('input', text, target));
    }
  }
  return undefined;
}

/** The file of the skill an alias of `file` resolves to. */
export function dependencyFile(project: Project, file: SkillFile, alias: string): string | undefined {
  const dep = file.resolved?.dependencies.find((d) => d.alias === alias);
  return dep ? project.skill(dep.target)?.path : undefined;
}

/** The `as:` value of the step whose loop variable `name` is (for an expression at `pointer`). */
function loopVariableDeclaration(parsed: ParsedSkill, pointer: string, name: string): [number, number] | undefined {
  const m = /^\/steps\/(\d+)\/(.*)$/.exec(pointer);
  if (!m || m[2] === 'when' || m[2] === 'for_each/over') return undefined;
  const step = steps(parsed.value)[Number(m[1])];
  if (!isRecord(step) || step.for_each === undefined) return undefined;
  const as = typeof step.as === 'string' ? step.as : 'item';
  if (name !== as && name !== 'index') return undefined;
  if (name === 'index') return undefined;
  const node = locatePath(parsed.document, ['steps', Number(m[1]), typeof step.as === 'string' ? 'as' : 'for_each']);
  return scalarSpan(node.node) ?? undefined;
}

/** Every occurrence of `symbol` in the project. */
export function occurrences(project: Project, symbol: SkillSymbol): Occurrence[] {
  const declaring = project.file(symbol.file);
  if (!declaring?.result.parsed?.ok) return [];
  const out = inFile(declaring, symbol);
  if (symbol.kind === 'input') {
    for (const { file, alias } of project.dependents(symbol.file)) {
      const parsed = file.result.parsed;
      if (!parsed?.ok) continue;
      steps(parsed.value).forEach((step, i) => {
        if (!isRecord(step) || step.use !== alias || !isRecord(step.with)) return;
        const pair = findKey(locatePath(parsed.document, ['steps', i, 'with']).node, symbol.name);
        const span = pair ? scalarSpan(pair.key) : undefined;
        if (span) out.push({ file: file.path, start: span[0], end: span[1], declaration: false });
      });
    }
  }
  return out;
}

function findKey(node: unknown, key: string): Pair<Node, Node | null> | undefined {
  const items = (node as { items?: unknown[] } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  return (items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && String(p.key.value) === key);
}

function inFile(file: SkillFile, symbol: SkillSymbol): Occurrence[] {
  const parsed = file.result.parsed!;
  const doc = parsed.document;
  const out: Occurrence[] = [];
  const push = (span: [number, number] | undefined, declaration: boolean) => {
    if (span) out.push({ file: file.path, start: span[0], end: span[1], declaration });
  };
  const valueSpanAt = (path: (string | number)[]) => {
    const found = locatePath(doc, path);
    return found.depth === path.length && isScalar(found.node) && String(found.node.value) === symbol.name ? scalarSpan(found.node) : undefined;
  };
  const keySpanAt = (path: (string | number)[]) => {
    const pair = findKey(locatePath(doc, path).node, symbol.name);
    return locatePath(doc, path).depth === path.length && pair ? scalarSpan(pair.key) : undefined;
  };
  const value = parsed.value;
  const allSteps = steps(value);
  const tests = isRecord(value) && Array.isArray(value.tests) ? value.tests : [];
  switch (symbol.kind) {
    case 'step': {
      allSteps.forEach((_, i) => push(valueSpanAt(['steps', i, 'id']), true));
      for (const compiled of compiledOf(parsed).values()) {
        if (!compiled.ast) continue;
        for (const ref of stepReferences(compiled.ast)) if (ref.id === symbol.name) push(fileSpan(compiled, ref.start, ref.end), false);
      }
      tests.forEach((_, i) => push(keySpanAt(['tests', i, 'replies']), false));
      break;
    }
    case 'tool':
      push(keySpanAt(['tools']), true);
      allSteps.forEach((step, i) => {
        push(valueSpanAt(['steps', i, 'tool']), false);
        if (isRecord(step) && Array.isArray(step.tools)) step.tools.forEach((_, n) => push(valueSpanAt(['steps', i, 'tools', n]), false));
      });
      break;
    case 'alias':
      push(keySpanAt(['uses']), true);
      allSteps.forEach((_, i) => push(valueSpanAt(['steps', i, 'use']), false));
      break;
    case 'input': {
      push(keySpanAt(['inputs', 'properties']), true);
      const required = isRecord(value) && isRecord(value.inputs) && Array.isArray(value.inputs.required) ? value.inputs.required : [];
      required.forEach((_, n) => push(valueSpanAt(['inputs', 'required', n]), false));
      for (const compiled of compiledOf(parsed).values()) {
        if (!compiled.ast) continue;
        walkExpressions(compiled.ast, (node: ExprNode) => {
          if ((node.kind === 'select' || node.kind === 'has') && node.operand.kind === 'ident' && node.operand.name === 'inputs' && node.field === symbol.name) {
            push(fileSpan(compiled, node.fieldStart, node.fieldStart + node.field.length), false);
          }
        });
      }
      tests.forEach((_, i) => push(keySpanAt(['tests', i, 'input']), false));
      break;
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Names a rename may give: what the schema allows for ids, tool names and aliases. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
