import type { ComprehensionNode, ExprNode, TemplateAst, TemplateNode } from './ast.js';
import { EvalError } from './eval-error.js';
import { ExprCode } from './expr-diagnostic.js';
import { charge, newBudget, scanCost, type Budget } from './budget.js';
import { JsonInputError, stringifyJson, stringifyJsonBounded, toJsonCharged } from './json.js';
import { checkInt, checkString, checkUint, compileRegex, fail, GLOBAL_FUNCTIONS, matches, MEMBER_FUNCTIONS, noOverload, type CallSite } from './functions.js';
import { DEFAULT_LIMITS, type EvalLimits } from './limits.js';
import { hexToBytes } from './literals.js';
import {
  CelType, CelUint, celCompare, celEquals, formatDouble, intValue, mapKeyOf, mapKeys, markUintKey, typeName, type MapKey, type Value,
} from './values.js';

/** Variables for one evaluation: names to values (see `fromJson` to bring JSON in). */
export type Vars = Readonly<Record<string, Value>> | ReadonlyMap<string, Value>;

interface Ctx extends Budget {
  vars: Vars;
  slots: Value[];
}

/** How the host controls one evaluation beyond its limits. */
export interface EvalOptions {
  /**
   * Asked about every thousand steps of work; returning true stops the evaluation with SDL4210.
   * A host passes its deadline and cancellation here (the runtime does, for a run's `deadlineMs`
   * and `signal`), since a synchronous evaluation cannot see timers fire.
   */
  interrupt?: () => boolean;
}
type Fn = (c: Ctx) => Value;

/** An expression compiled once to closures; evaluate it any number of times with `evaluate`. */
export interface CompiledExpression {
  readonly kind: 'compiled-expression';
  /** @internal */
  readonly run: Fn;
  /** @internal */
  readonly slots: number;
  /** @internal The whole expression's offsets, where converting its result reports a limit. */
  readonly span: { start: number; end: number };
}

/** A template compiled once; render it with `render`. */
export interface CompiledTemplate {
  readonly kind: 'compiled-template';
  /** @internal */
  readonly run: (c: Ctx, out: { text: string }) => void;
  /** @internal */
  readonly slots: number;
  /** @internal The template's offsets, where an input value refused outside any expression is reported. */
  readonly span: { start: number; end: number };
}

const TWO_63 = 1n << 63n;

function site(node: { start: number; end: number }, c: Ctx): CallSite {
  return { start: node.start, end: node.end, limits: c.limits };
}

/** A call site built once for the default limits (the common case), else per call. */
function siteOf(node: { start: number; end: number }): (c: Ctx) => CallSite {
  const fixed: CallSite = { start: node.start, end: node.end, limits: DEFAULT_LIMITS };
  return (c) => (c.limits === DEFAULT_LIMITS ? fixed : site(node, c));
}

function step(c: Ctx, node: { start: number; end: number }, n = 1): void {
  charge(c, n, node);
}

/** Charges the scan of long string and bytes arguments (1 step per 256 units): builtins are linear in them. */
function chargeScan(c: Ctx, v: Value, node: { start: number; end: number }): void {
  if ((typeof v === 'string' || v instanceof Uint8Array) && v.length >= 256) charge(c, scanCost(v.length), node);
}

function lookupVar(vars: Vars, name: string): Value | undefined {
  if (vars instanceof Map) return vars.get(name);
  return Object.hasOwn(vars, name) ? (vars as Record<string, Value>)[name] : undefined;
}

/** The elements a macro or `{{#each}}` iterates: a list's elements or a map's keys. */
function iterationItems(v: Value, node: { start: number; end: number }, what: string, c: Ctx): readonly Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) {
    step(c, node, v.size); // the keys are copied out
    return mapKeys(v);
  }
  return fail(ExprCode.RuntimeNoOverload, `${what} needs a list or a map, got ${typeName(v)}`, node);
}

/**
 * A lazily converted input value refused by the limits (see `fromJsonLazy`) as SDL4210 at the
 * expression that reached it; any other error as it is.
 */
function refusedInput(e: unknown, at: { start: number; end: number }): unknown {
  return e instanceof JsonInputError ? new EvalError(e.code, e.message, at.start, at.end, 'pass a smaller input value or raise the limit') : e;
}

function isRecoverable(e: unknown): e is EvalError {
  return e instanceof EvalError && !e.limit;
}

class Compiler {
  private scopes: { name: string; slot: number }[] = [];
  maxSlots = 0;

  private bind(name: string): number {
    const slot = this.scopes.length;
    this.scopes.push({ name, slot });
    this.maxSlots = Math.max(this.maxSlots, this.scopes.length);
    return slot;
  }
  private unbind(n = 1): void {
    this.scopes.length -= n;
  }
  private resolve(name: string): number | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.name === name) return this.scopes[i]!.slot;
    return undefined;
  }

  expr(node: ExprNode): Fn {
    switch (node.kind) {
      case 'null': return () => null;
      case 'bool': { const v = node.value; return () => v; }
      case 'int': { const v = BigInt(node.value); return () => v; }
      case 'uint': { const v = new CelUint(BigInt(node.value)); return () => v; }
      case 'double': { const v = Number(node.value); return () => v; }
      case 'string': { const v = node.value; return () => v; }
      case 'bytes': { const v = hexToBytes(node.value); return () => v; }
      case 'ident': return this.ident(node);
      case 'select': {
        const operand = this.expr(node.operand);
        const field = node.field;
        const at = { start: node.fieldStart, end: node.end };
        return (c) => {
          const m = operand(c);
          if (m instanceof Map) {
            let v: Value | undefined;
            try {
              v = m.get(field);
            } catch (e) {
              throw refusedInput(e, at);
            }
            if (v === undefined) fail(ExprCode.NoSuchKey, `no such key: \`${field}\``, at, 'check the key with `has(...)` first');
            return v;
          }
          return fail(ExprCode.RuntimeNoOverload, `cannot select field \`${field}\` from a value of type ${typeName(m)}`, at);
        };
      }
      case 'index': {
        const operand = this.expr(node.operand);
        const index = this.expr(node.index);
        return (c) => indexValue(operand(c), index(c), node);
      }
      case 'has': {
        const operand = this.expr(node.operand);
        const field = node.field;
        return (c) => {
          const m = operand(c);
          if (m instanceof Map) return m.has(field);
          return fail(ExprCode.RuntimeNoOverload, `has() needs a map, got ${typeName(m)}`, node);
        };
      }
      case 'unary': {
        const operand = this.expr(node.operand);
        if (node.op === '!')
          return (c) => {
            const v = operand(c);
            return typeof v === 'boolean' ? !v : noOverload('!', [v], node);
          };
        return (c) => {
          const v = operand(c);
          if (typeof v === 'bigint') return checkInt(-v, node);
          if (typeof v === 'number') return -v;
          return noOverload('-', [v], node);
        };
      }
      case 'binary': return this.binary(node);
      case 'conditional': {
        const test = this.expr(node.test);
        const then = this.expr(node.then);
        const otherwise = this.expr(node.otherwise);
        return (c) => {
          const t = test(c);
          if (t === true) return then(c);
          if (t === false) return otherwise(c);
          return noOverload('_?_:_', [t], node.test);
        };
      }
      case 'list': {
        const elements = node.elements.map((e) => this.expr(e));
        return (c) => {
          step(c, node, elements.length);
          const out = new Array<Value>(elements.length);
          for (let i = 0; i < elements.length; i++) out[i] = elements[i]!(c);
          return out;
        };
      }
      case 'map': {
        const entries = node.entries.map((e) => ({ key: this.expr(e.key), value: this.expr(e.value), node: e.key }));
        return (c) => {
          step(c, node, entries.length);
          const out = new Map<MapKey, Value>();
          for (const e of entries) {
            const k = e.key(c);
            const key = typeof k === 'number' ? undefined : mapKeyOf(k);
            if (key === undefined) fail(ExprCode.InvalidArgument, `a map key must be int, uint, bool or string, not ${typeName(k)}`, e.node);
            if (out.has(key)) fail(ExprCode.InvalidArgument, `duplicate map key ${stringifyJson(k)}`, e.node);
            out.set(key, e.value(c));
            if (k instanceof CelUint) markUintKey(out, k.value);
          }
          return out;
        };
      }
      case 'call': return this.call(node);
      case 'comprehension': return this.comprehension(node);
    }
  }

  private ident(node: Extract<ExprNode, { kind: 'ident' }>): Fn {
    const slot = this.resolve(node.name);
    if (slot !== undefined) return (c) => c.slots[slot]!;
    const name = node.name;
    const typeValue = CelType.types.get(name);
    return (c) => {
      const v = lookupVar(c.vars, name);
      if (v !== undefined) return v;
      if (typeValue) return typeValue;
      return fail(ExprCode.NoSuchKey, `unknown variable \`${name}\``, node);
    };
  }

  private binary(node: Extract<ExprNode, { kind: 'binary' }>): Fn {
    const left = this.expr(node.left);
    const right = this.expr(node.right);
    const at = { start: node.opStart, end: node.opEnd };
    switch (node.op) {
      case '&&':
      case '||': {
        // CEL's commutative, error-absorbing logic: a decisive value on either side wins over an error.
        const decisive = node.op === '||';
        return (c) => {
          let err: EvalError | undefined;
          let l: Value;
          try {
            l = left(c);
            if (l === decisive) return decisive;
            if (typeof l !== 'boolean') err = new EvalError(ExprCode.RuntimeNoOverload, `no matching overload for \`${node.op}\` with ${typeName(l)}`, node.left.start, node.left.end);
          } catch (e) {
            if (!isRecoverable(e)) throw e;
            err = e;
          }
          const r = right(c);
          if (r === decisive) return decisive;
          if (err) throw err;
          if (typeof r !== 'boolean') return noOverload(node.op, [r], node.right);
          return r;
        };
      }
      case '==': return (c) => celEquals(left(c), right(c), c, at);
      case '!=': return (c) => !celEquals(left(c), right(c), c, at);
      case '<': case '<=': case '>': case '>=': {
        const op = node.op;
        return (c) => {
          const a = left(c);
          const b = right(c);
          // Fast path for int and double operands (JSON numbers are either): CEL compares an int with
          // a double as doubles, and any comparison with NaN is false, as JavaScript's operators do.
          const ta = typeof a;
          const tb = typeof b;
          if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
            const x = ta === tb ? (a as number) : Number(a);
            const y = ta === tb ? (b as number) : Number(b);
            return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
          }
          if (typeof a === 'string' && typeof b === 'string') step(c, at, scanCost(Math.min(a.length, b.length)));
          else if (a instanceof Uint8Array && b instanceof Uint8Array) step(c, at, scanCost(Math.min(a.length, b.length)));
          const r = celCompare(a, b);
          if (r === undefined) return noOverload(op, [a, b], at);
          return op === '<' ? r < 0 : op === '<=' ? r <= 0 : op === '>' ? r > 0 : r >= 0;
        };
      }
      case 'in': return (c) => {
        const a = left(c);
        const b = right(c);
        if (Array.isArray(b)) {
          // 1 step per element compared (and the comparisons' own work): `in` over a big list in a macro is bounded.
          for (let i = 0; i < b.length; i++) {
            if ((i & 255) === 255) step(c, at, 256);
            if (celEquals(a, b[i] as Value, c, at)) return true;
          }
          step(c, at, b.length & 255);
          return false;
        }
        if (b instanceof Map) {
          const key = mapKeyOf(a);
          return key !== undefined && b.has(key);
        }
        return noOverload('in', [a, b], at);
      };
      case '+': return (c) => add(left(c), right(c), at, c);
      case '-': return (c) => subtract(left(c), right(c), at);
      case '*': return (c) => multiply(left(c), right(c), at);
      case '/': return (c) => divide(left(c), right(c), at);
      case '%': return (c) => modulo(left(c), right(c), at);
    }
  }

  private call(node: Extract<ExprNode, { kind: 'call' }>): Fn {
    const args = node.args.map((a) => this.expr(a));
    const fnSite = { start: node.fnStart, end: node.end };
    const at = siteOf(node);
    if (node.target) {
      const target = this.expr(node.target);
      const fn = MEMBER_FUNCTIONS.get(node.fn);
      if (!fn || !fn.arity.includes(args.length))
        return () => fail(ExprCode.UnknownFunction, `unknown function \`${node.fn}\` with ${args.length} argument(s)`, fnSite);
      // A constant pattern is compiled once, here, not on every call.
      const pattern = node.fn === 'matches' && node.args[0]?.kind === 'string' ? compileRegex(node.args[0].value) : undefined;
      if (pattern) return (c) => {
        const t = target(c);
        chargeScan(c, t, node);
        return matches(t, pattern, at(c), c);
      };
      if (args.length === 1) {
        const a0 = args[0]!;
        return (c) => {
          const t = target(c);
          const x = a0(c);
          chargeScan(c, t, node);
          chargeScan(c, x, node);
          return fn.fn(t, [x], at(c), c);
        };
      }
      return (c) => {
        const t = target(c);
        const xs = args.map((a) => a(c));
        chargeScan(c, t, node);
        for (const x of xs) chargeScan(c, x, node);
        return fn.fn(t, xs, at(c), c);
      };
    }
    const fn = GLOBAL_FUNCTIONS.get(node.fn);
    if (!fn || !fn.arity.includes(args.length))
      return () => fail(ExprCode.UnknownFunction, `unknown function \`${node.fn}\` with ${args.length} argument(s)`, fnSite);
    if (args.length === 1) {
      const a0 = args[0]!;
      return (c) => {
        const x = a0(c);
        chargeScan(c, x, node);
        return fn.fn([x], at(c), c);
      };
    }
    return (c) => {
      const xs = args.map((a) => a(c));
      for (const x of xs) chargeScan(c, x, node);
      return fn.fn(xs, at(c), c);
    };
  }

  private comprehension(node: ComprehensionNode): Fn {
    const range = this.expr(node.range);
    const slot = this.bind(node.variable);
    const body = this.expr(node.body);
    const filter = node.filter ? this.expr(node.filter) : undefined;
    this.unbind();
    const where = { start: node.fnStart, end: node.end };
    const what = `\`${node.macro}\``;
    const bool = (v: Value, at: ExprNode): boolean =>
      typeof v === 'boolean' ? v : fail(ExprCode.RuntimeNoOverload, `the predicate of ${what} must be bool, got ${typeName(v)}`, at);
    switch (node.macro) {
      case 'all':
      case 'exists': {
        const decisive = node.macro === 'exists';
        return (c) => {
          const items = iterationItems(range(c), where, what, c);
          let err: EvalError | undefined;
          for (let i = 0; i < items.length; i++) {
            step(c, where);
            c.slots[slot] = items[i]!;
            try {
              if (bool(body(c), node.body) === decisive) return decisive;
            } catch (e) {
              if (!isRecoverable(e)) throw e;
              err ??= e;
            }
          }
          if (err) throw err;
          return !decisive;
        };
      }
      case 'exists_one':
        return (c) => {
          const items = iterationItems(range(c), where, what, c);
          let count = 0;
          for (let i = 0; i < items.length; i++) {
            step(c, where);
            c.slots[slot] = items[i]!;
            if (bool(body(c), node.body)) count++;
          }
          return count === 1;
        };
      case 'filter':
        return (c) => {
          const items = iterationItems(range(c), where, what, c);
          const out: Value[] = [];
          for (let i = 0; i < items.length; i++) {
            step(c, where);
            c.slots[slot] = items[i]!;
            if (bool(body(c), node.body)) out.push(items[i]!);
          }
          return out;
        };
      case 'map':
        return (c) => {
          const items = iterationItems(range(c), where, what, c);
          const out: Value[] = [];
          for (let i = 0; i < items.length; i++) {
            step(c, where);
            c.slots[slot] = items[i]!;
            if (filter && !bool(filter(c), node.filter!)) continue;
            out.push(body(c));
          }
          return out;
        };
    }
  }

  template(nodes: TemplateNode[]): (c: Ctx, out: { text: string }) => void {
    const parts = nodes.map((n) => this.templateNode(n));
    if (parts.length === 1) return parts[0]!;
    return (c, out) => {
      for (let i = 0; i < parts.length; i++) parts[i]!(c, out);
    };
  }

  private templateNode(node: TemplateNode): (c: Ctx, out: { text: string }) => void {
    switch (node.kind) {
      case 'text': {
        const text = node.text;
        return (c, out) => append(out, text, c, node);
      }
      case 'interpolation': {
        const value = this.expr(node.expr);
        return (c, out) => append(out, renderBounded(value(c), c.limits.maxStringLength - out.text.length, c, node), c, node);
      }
      case 'if': {
        const branches = node.branches.map((b) => ({ test: this.expr(b.test), body: this.template(b.body), node: b.test }));
        const otherwise = node.otherwise ? this.template(node.otherwise) : undefined;
        return (c, out) => {
          for (const b of branches) {
            const t = b.test(c);
            if (t === true) return b.body(c, out);
            if (t !== false) noOverload('#if', [t], b.node);
          }
          if (otherwise) otherwise(c, out);
        };
      }
      case 'each': {
        const list = this.expr(node.list);
        const itemSlot = this.bind(node.item);
        const indexSlot = node.index !== undefined ? this.bind(node.index) : -1;
        const body = this.template(node.body);
        this.unbind(node.index !== undefined ? 2 : 1);
        return (c, out) => {
          const items = iterationItems(list(c), node.list, '`#each`', c);
          for (let i = 0; i < items.length; i++) {
            step(c, node.list);
            c.slots[itemSlot] = items[i]!;
            if (indexSlot >= 0) c.slots[indexSlot] = intValue(i);
            body(c, out);
          }
        };
      }
    }
  }
}

function append(out: { text: string }, s: string, c: Ctx, node: { start: number; end: number }): void {
  if (s.length > 1024) step(c, node, s.length >> 10);
  if (out.text.length + s.length > c.limits.maxStringLength)
    fail(ExprCode.LimitExceeded, `rendered text exceeds the limit of ${c.limits.maxStringLength} characters`, node);
  out.text += s;
}

/**
 * How a value is written into a template: strings as they are, int/uint in decimal, doubles as
 * `string(x)` does, bools as `true`/`false`, null as nothing, bytes as base64, lists and maps as
 * compact JSON. The text is inserted as is: never escaped, never parsed again as a template.
 */
export function renderValue(v: Value): string {
  switch (typeof v) {
    case 'string': return v;
    case 'bigint': return v.toString();
    case 'number': return formatDouble(v);
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v === null) return '';
      if (v instanceof CelUint) return v.value.toString();
      if (v instanceof CelType) return v.name;
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return stringifyJson(v);
  }
}

/**
 * `renderValue` for a template: lists and maps are written as JSON no longer than `room`
 * characters, checked while writing (a 4 MB input inside a list cannot build an oversized text
 * first), 1 step per element.
 */
function renderBounded(v: Value, room: number, c: Ctx, node: { start: number; end: number }): string {
  if (Array.isArray(v) || v instanceof Map)
    return stringifyJsonBounded(v, room, c, node, `rendered text exceeds the limit of ${c.limits.maxStringLength} characters`);
  return renderValue(v);
}

/** A short form of a key for an error message (keys can be long strings). */
function keyPreview(k: Value): string {
  const text = typeof k === 'string' && k.length > 60 ? `${k.slice(0, 60)}…` : k;
  return stringifyJson(text as Value);
}

function indexValue(m: Value, k: Value, node: Extract<ExprNode, { kind: 'index' }>): Value {
  const at = { start: node.opStart, end: node.end };
  if (Array.isArray(m)) {
    let i: number;
    if (typeof k === 'bigint') i = k < 0n || k >= BigInt(m.length) ? -1 : Number(k);
    else if (k instanceof CelUint) i = k.value >= BigInt(m.length) ? -1 : Number(k.value);
    else if (typeof k === 'number' && Number.isInteger(k)) i = k < 0 || k >= m.length ? -1 : k;
    else return noOverload('_[_]', [m, k], at);
    if (i < 0) fail(ExprCode.InvalidArgument, `index ${renderValue(k)} out of range for a list of size ${m.length}`, at);
    return m[i] as Value;
  }
  if (m instanceof Map) {
    const key = mapKeyOf(k);
    let v: Value | undefined;
    try {
      v = key === undefined ? undefined : m.get(key);
    } catch (e) {
      throw refusedInput(e, at);
    }
    if (v === undefined) fail(ExprCode.NoSuchKey, `no such key: ${keyPreview(k)}`, at, 'check with `key in map` first');
    return v;
  }
  return noOverload('_[_]', [m, k], at);
}

function add(a: Value, b: Value, at: { start: number; end: number }, c: Ctx): Value {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'bigint') return checkInt((a as bigint) + (b as bigint), at);
    if (ta === 'number') return (a as number) + (b as number);
    if (ta === 'string') {
      // Strings cost steps by size (1 per KiB), so building big strings in a macro loop hits the step limit.
      const len = (a as string).length + (b as string).length;
      if (len > 1024) step(c, at, len >> 10);
      return checkString((a as string) + (b as string), site(at, c));
    }
  }
  if (a instanceof CelUint && b instanceof CelUint) return checkUint(a.value + b.value, at);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length + b.length > c.limits.maxListLength)
      fail(ExprCode.LimitExceeded, `list of ${a.length + b.length} elements exceeds the limit of ${c.limits.maxListLength}`, at);
    step(c, at, a.length + b.length); // both are copied
    return [...a, ...b];
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length + b.length > c.limits.maxBytesLength) fail(ExprCode.LimitExceeded, `bytes exceed the limit of ${c.limits.maxBytesLength}`, at);
    step(c, at, scanCost(a.length + b.length));
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  return noOverload('+', [a, b], at);
}

function subtract(a: Value, b: Value, at: { start: number; end: number }): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a - b, at);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a instanceof CelUint && b instanceof CelUint) return checkUint(a.value - b.value, at);
  return noOverload('-', [a, b], at);
}

function multiply(a: Value, b: Value, at: { start: number; end: number }): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a * b, at);
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a instanceof CelUint && b instanceof CelUint) return checkUint(a.value * b.value, at);
  return noOverload('*', [a, b], at);
}

function divide(a: Value, b: Value, at: { start: number; end: number }): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) fail(ExprCode.DivisionByZero, 'division by zero', at);
    if (a === -TWO_63 && b === -1n) fail(ExprCode.Overflow, 'int overflow: the result is outside the int64 range', at);
    return a / b;
  }
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  if (a instanceof CelUint && b instanceof CelUint) {
    if (b.value === 0n) fail(ExprCode.DivisionByZero, 'division by zero', at);
    return new CelUint(a.value / b.value);
  }
  return noOverload('/', [a, b], at);
}

function modulo(a: Value, b: Value, at: { start: number; end: number }): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) fail(ExprCode.DivisionByZero, 'modulus by zero', at);
    if (a === -TWO_63 && b === -1n) return 0n;
    return a % b;
  }
  if (a instanceof CelUint && b instanceof CelUint) {
    if (b.value === 0n) fail(ExprCode.DivisionByZero, 'modulus by zero', at);
    return new CelUint(a.value % b.value);
  }
  return noOverload('%', [a, b], at);
}

/** Compiles a parsed expression to closures, once; no parsing or AST walking happens per evaluation. */
export function compileExpression(ast: ExprNode): CompiledExpression {
  const compiler = new Compiler();
  const run = compiler.expr(ast);
  return { kind: 'compiled-expression', run, slots: compiler.maxSlots, span: { start: ast.start, end: ast.end } };
}

/** Compiles a parsed template, once. */
export function compileTemplate(ast: TemplateAst): CompiledTemplate {
  const compiler = new Compiler();
  const run = compiler.template(ast.body);
  const last = ast.body[ast.body.length - 1];
  return { kind: 'compiled-template', run, slots: compiler.maxSlots, span: { start: ast.body[0]?.start ?? 0, end: last?.end ?? 0 } };
}

/** Slots of an expression that binds no variable: never written, so one array serves every evaluation. */
const NO_SLOTS: Value[] = [];

function context(slots: number, vars: Vars, limits?: Partial<EvalLimits>, options?: EvalOptions): Ctx {
  const c = newBudget(limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS, options?.interrupt) as Ctx;
  c.vars = vars;
  c.slots = slots === 0 ? NO_SLOTS : new Array<Value>(slots).fill(null);
  return c;
}

/**
 * Evaluates a compiled expression. Throws {@link EvalError} (with the offsets of the failing
 * sub-expression) on a CEL error or a sandbox limit.
 *
 * @param compiled - from {@link compileExpression}; compile once, evaluate many times
 * @param vars - the variables in scope (`inputs`, `steps`, ...), as CEL values (see {@link varsFromJson})
 * @param limits - tighter bounds than {@link DEFAULT_LIMITS} for this evaluation
 * @param options - the host's `interrupt` (deadline, cancellation), see {@link EvalOptions}
 * @returns the CEL value; {@link toJson} turns it into plain JSON
 * @throws {@link EvalError} on a CEL runtime error (no such key, division by zero, ...) or an exceeded limit
 *
 * @example
 * ```ts
 * import { compileExpression, evaluate, parseExpression, toJson, varsFromJson } from '@sdl/compiler';
 *
 * const { ast, diagnostics } = parseExpression("size(inputs.text) > 10 ? 'long' : 'short'");
 * if (!ast) throw new Error(diagnostics.map((d) => `${d.start}: ${d.message}`).join('\n'));
 * const length = compileExpression(ast);
 * const value = evaluate(length, varsFromJson({ inputs: { text: 'a long enough text' } }), { maxSteps: 10_000 });
 * console.log(toJson(value)); // "long"
 * ```
 */
export function evaluate(compiled: CompiledExpression, vars: Vars, limits?: Partial<EvalLimits>, options?: EvalOptions): Value {
  try {
    return compiled.run(context(compiled.slots, vars, limits, options));
  } catch (e) {
    throw refusedInput(e, compiled.span);
  }
}

/**
 * Evaluates a compiled expression and converts the value with {@link toJson}, the conversion
 * charged to the same step budget (1 step per list element or map entry): a value sharing
 * structure cannot expand into more JSON than the limits allow. What a host that hands results
 * on as JSON (the runtime) calls.
 *
 * @param compiled - from {@link compileExpression}
 * @param vars - the variables in scope, as CEL values
 * @param limits - tighter bounds than {@link DEFAULT_LIMITS}
 * @param options - the host's `interrupt` (deadline, cancellation)
 * @returns plain JSON data
 * @throws {@link EvalError} on a CEL runtime error or an exceeded limit
 */
export function evaluateJson(compiled: CompiledExpression, vars: Vars, limits?: Partial<EvalLimits>, options?: EvalOptions): unknown {
  const c = context(compiled.slots, vars, limits, options);
  try {
    return toJsonCharged(compiled.run(c), c, compiled.span);
  } catch (e) {
    throw refusedInput(e, compiled.span);
  }
}

/**
 * Evaluates a compiled expression and writes the value as JSON text (exact int/uint digits, like
 * {@link stringifyJson}), the writing charged to the same budget and stopped before the text passes
 * `maxStringLength` characters. What `skillc eval` prints.
 *
 * @param compiled - from {@link compileExpression}
 * @param vars - the variables in scope, as CEL values
 * @param limits - tighter bounds than {@link DEFAULT_LIMITS}
 * @param options - the host's `interrupt` (deadline, cancellation)
 * @returns compact JSON text
 * @throws {@link EvalError} on a CEL runtime error or an exceeded limit
 */
export function evaluateJsonText(compiled: CompiledExpression, vars: Vars, limits?: Partial<EvalLimits>, options?: EvalOptions): string {
  const c = context(compiled.slots, vars, limits, options);
  try {
    return stringifyJsonBounded(compiled.run(c), c.limits.maxStringLength, c, compiled.span, `the value's JSON text exceeds the limit of ${c.limits.maxStringLength} characters`);
  } catch (e) {
    throw refusedInput(e, compiled.span);
  }
}


/**
 * Renders a compiled template to text. Throws {@link EvalError} like `evaluate`.
 *
 * @param compiled - from {@link compileTemplate}
 * @param vars - the variables in scope, as CEL values (see {@link varsFromJson})
 * @param limits - tighter bounds than {@link DEFAULT_LIMITS}, e.g. a smaller `maxStringLength`
 * @param options - the host's `interrupt` (deadline, cancellation), see {@link EvalOptions}
 * @returns the rendered text
 * @throws {@link EvalError} on a CEL runtime error or an exceeded limit
 *
 * @example
 * ```ts
 * import { compileTemplate, parseTemplate, render, varsFromJson } from '@sdl/compiler';
 *
 * const { ast, diagnostics } = parseTemplate('Summarize in {{ inputs.language }}:{{#each inputs.parts as part}}\n- {{ part }}{{/each}}');
 * if (diagnostics.length > 0) throw new Error(diagnostics[0]!.message);
 * const prompt = render(compileTemplate(ast), varsFromJson({ inputs: { language: 'en', parts: ['intro', 'results'] } }));
 * console.log(prompt); // "Summarize in en:\n- intro\n- results"
 * ```
 */
export function render(compiled: CompiledTemplate, vars: Vars, limits?: Partial<EvalLimits>, options?: EvalOptions): string {
  const out = { text: '' };
  try {
    compiled.run(context(compiled.slots, vars, limits, options), out);
  } catch (e) {
    throw refusedInput(e, compiled.span);
  }
  return out.text;
}
