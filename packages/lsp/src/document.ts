/**
 * What the language features ask of one skill file: the YAML node under the cursor, the expression
 * or template under it (the compiler's `compileSources`, with its offset map run backwards), and the
 * scope that expression is checked in (the binder's `globalScope` / `loopScope`).
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import {
  checkExpression,
  compileSources,
  globalScope,
  loopScope,
  type CompiledSource,
  type DependencyInterfaces,
  type ExprNode,
  type ExprType,
  type ParsedSkill,
  type SourceFile,
  type TemplateAst,
} from '@sdl/compiler';
import { isRecord } from './util.js';

/** Where the cursor is in the YAML tree. */
export interface YamlLocation {
  /** Keys and indices from the document root to the node. */
  path: (string | number)[];
  /** The node under the cursor (a key scalar when `inKey`). */
  node: Node | null;
  /** The pair whose key or value holds the cursor, when in a mapping. */
  pair?: Pair<Node, Node | null>;
  /** True when the cursor is on a mapping key. */
  inKey: boolean;
}

/** One expression or template with the cursor inside. */
export interface SourceAtCursor {
  pointer: string;
  compiled: CompiledSource;
  /** The cursor as an offset into `compiled.src`. */
  valueOffset: number;
}

const compiledCache = new WeakMap<ParsedSkill, Map<string, CompiledSource>>();

/** Every expression and template of the file, by IR pointer (computed once per parse). */
export function compiledOf(parsed: ParsedSkill): Map<string, CompiledSource> {
  let compiled = compiledCache.get(parsed);
  if (!compiled) compiledCache.set(parsed, (compiled = parsed.ok ? compileSources(parsed) : new Map()));
  return compiled;
}

/** The start and end offsets of a compiled source's value in the file. */
export function valueSpan(compiled: CompiledSource): [number, number] {
  return [compiled.mapOffset(0), compiled.mapOffset(compiled.src.length)];
}

/** The offset in `compiled.src` of a file offset: the first value character at or after it. */
export function toValueOffset(compiled: CompiledSource, offset: number): number {
  let lo = 0;
  let hi = compiled.src.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compiled.mapOffset(mid) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The expression or template whose value text holds `offset` (its end included, for typing at the end). */
export function sourceAt(parsed: ParsedSkill, offset: number): SourceAtCursor | undefined {
  for (const [pointer, compiled] of compiledOf(parsed)) {
    const [start, end] = valueSpan(compiled);
    if (offset < start || offset > end) continue;
    return { pointer, compiled, valueOffset: toValueOffset(compiled, offset) };
  }
  return undefined;
}

/** The deepest YAML node at `offset`, and its path. */
export function locate(parsed: ParsedSkill, offset: number): YamlLocation {
  const path: (string | number)[] = [];
  let node = parsed.document.contents as Node | null;
  let pair: Pair<Node, Node | null> | undefined;
  for (;;) {
    if (isMap(node)) {
      const hit = (node.items as Pair<Node, Node | null>[]).find((p) => {
        const k = p.key?.range;
        const v = p.value?.range;
        return (k && offset >= k[0] && offset <= k[1]) || (v && offset >= v[0] && offset <= v[1]);
      });
      if (!hit) return { path, node, ...(pair ? { pair } : {}), inKey: false };
      const key = isScalar(hit.key) ? String(hit.key.value) : '';
      path.push(key);
      const k = hit.key?.range;
      if (k && offset >= k[0] && offset <= k[1]) return { path, node: hit.key, pair: hit, inKey: true };
      pair = hit;
      node = hit.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const r = (item as Node | null)?.range;
        return r && offset >= r[0] && offset <= r[1];
      });
      if (index < 0) return { path, node, inKey: false };
      path.push(index);
      pair = undefined;
      node = node.items[index] as Node | null;
    } else return { path, node, ...(pair ? { pair } : {}), inKey: false };
  }
}

/** The value at `path` in a plain value. */
export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The scope an expression at `pointer` is checked in, as `bindSkill` builds it. */
export function scopeOf(parsed: ParsedSkill, pointer: string, dependencies: DependencyInterfaces): Map<string, ExprType> {
  const skill = isRecord(parsed.value) ? parsed.value : {};
  const globals = globalScope(skill, dependencies);
  const m = /^\/steps\/(\d+)\/(.*)$/.exec(pointer);
  if (!m || m[2] === 'when' || m[2] === 'for_each/over') return globals;
  const step = Array.isArray(skill.steps) ? skill.steps[Number(m[1])] : undefined;
  if (!isRecord(step) || step.for_each === undefined) return globals;
  const over = compiledOf(parsed).get(`/steps/${m[1]}/for_each/over`);
  const overType = over?.ast ? checkExpression(over.ast as ExprNode, globals).type : { kind: 'dyn' as const };
  return loopScope(globals, step, overType);
}

/** Calls `visit` on every expression node of an AST (templates included), outermost first. */
export function walkExpressions(ast: ExprNode | TemplateAst, visit: (node: ExprNode) => void): void {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const n = node as { kind?: string };
    if (typeof n.kind === 'string' && !['template', 'text', 'interpolation', 'if', 'each'].includes(n.kind)) visit(node as ExprNode);
    const values = Object.values(node);
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && typeof values[i] === 'object') stack.push(values[i]);
  }
}

/** The file range of a span of a compiled source's value. */
export function fileSpan(compiled: CompiledSource, start: number, end: number): [number, number] {
  const from = compiled.mapOffset(start);
  return [from, end > start ? Math.max(from, compiled.mapOffset(end - 1) + 1) : from];
}

/** The source text of a document (re-exported for the features). */
export type { SourceFile };
