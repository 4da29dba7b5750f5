import { didYouMean } from '../util/suggest.js';
import type { ComprehensionNode, ExprNode, TemplateAst, TemplateNode } from './ast.js';
import { ExprCode, type ExprDiagnostic } from './expr-diagnostic.js';
import { GLOBAL_FUNCTIONS, MEMBER_FUNCTIONS } from './functions.js';
import { RegexSyntaxError, LinearRegex } from './regex.js';
import { formatType, joinTypes, Types, type ExprType } from './types.js';
import { CelType } from './values.js';

/** Variables in scope and their types (e.g. `inputs`, `steps`, a loop's `item` and `index`). */
export type Scope = ReadonlyMap<string, ExprType> | Readonly<Record<string, ExprType>>;

/** Options of {@link checkExpression}: what the expression must produce and how to name it in messages. */
export interface CheckOptions {
  /** The type the expression must have, e.g. bool for `when:`, a list for `for_each:`. */
  expectType?: ExprType;
  /** Where the expression sits, for the message: e.g. "`when:`". */
  role?: string;
  /**
   * Called with every node's type as it is checked, innermost first (editors show the type of a
   * sub-expression on hover). Loop variables of macros and `{{#each}}` reach it as `ident` nodes.
   */
  onType?: (node: ExprNode, type: ExprType) => void;
}

const NUMERIC = new Set(['int', 'uint', 'double']);
const isDyn = (t: ExprType) => t.kind === 'dyn';

function scopeGet(scope: Scope, name: string): ExprType | undefined {
  if (scope instanceof Map) return scope.get(name);
  return Object.hasOwn(scope, name) ? (scope as Record<string, ExprType>)[name] : undefined;
}
function scopeNames(scope: Scope): string[] {
  return scope instanceof Map ? [...scope.keys()] : Object.keys(scope);
}

/** Whether a value of type `actual` is acceptable where `expected` is required (dyn fits both ways). */
export function assignable(actual: ExprType, expected: ExprType): boolean {
  if (isDyn(actual) || isDyn(expected)) return true;
  if (expected.kind === 'list') return actual.kind === 'list' && assignable(actual.elem, expected.elem);
  if (expected.kind === 'map') return (actual.kind === 'map' && assignable(actual.key, expected.key) && assignable(actual.value, expected.value)) || (actual.kind === 'object' && assignable(Types.string, expected.key));
  if (expected.kind === 'object') return actual.kind === 'object' || actual.kind === 'map';
  return actual.kind === expected.kind;
}

class Checker {
  readonly diagnostics: ExprDiagnostic[] = [];
  private locals: { name: string; type: ExprType }[] = [];

  constructor(
    private readonly scope: Scope,
    private readonly onType?: (node: ExprNode, type: ExprType) => void,
  ) {}

  private error(code: string, message: string, at: { start: number; end: number }, hint?: string): void {
    this.diagnostics.push(hint === undefined ? { code, message, start: at.start, end: at.end } : { code, message, start: at.start, end: at.end, hint });
  }

  private noOverload(op: string, types: ExprType[], at: { start: number; end: number }, hint?: string): ExprType {
    this.error(ExprCode.NoOverload, `\`${op}\` cannot be applied to (${types.map(formatType).join(', ')})`, at, hint);
    return Types.dyn;
  }

  withLocals<T>(bindings: { name: string; type: ExprType }[], body: () => T): T {
    this.locals.push(...bindings);
    try {
      return body();
    } finally {
      this.locals.length -= bindings.length;
    }
  }

  expr(node: ExprNode): ExprType {
    const type = this.exprType(node);
    this.onType?.(node, type);
    return type;
  }

  private exprType(node: ExprNode): ExprType {
    switch (node.kind) {
      case 'null': return Types.null;
      case 'bool': return Types.bool;
      case 'int': return Types.int;
      case 'uint': return Types.uint;
      case 'double': return Types.double;
      case 'string': return Types.string;
      case 'bytes': return Types.bytes;
      case 'ident': return this.ident(node);
      case 'select': return this.field(this.expr(node.operand), node.field, { start: node.fieldStart, end: node.end });
      case 'has': {
        this.field(this.expr(node.operand), node.field, { start: node.fieldStart, end: node.fieldStart + node.field.length }, true);
        return Types.bool;
      }
      case 'index': return this.index(node);
      case 'unary': {
        const t = this.expr(node.operand);
        if (node.op === '!') return t.kind === 'bool' || isDyn(t) ? Types.bool : this.noOverload('!', [t], node);
        return t.kind === 'int' || t.kind === 'double' || isDyn(t) ? t : this.noOverload('-', [t], node, t.kind === 'uint' ? 'uint has no negation; convert with `int(x)` first' : undefined);
      }
      case 'binary': return this.binary(node);
      case 'conditional': {
        const test = this.expr(node.test);
        if (test.kind !== 'bool' && !isDyn(test))
          this.error(ExprCode.WrongType, `the condition of \`? :\` must be bool, not ${formatType(test)}`, node.test);
        return joinTypes([this.expr(node.then), this.expr(node.otherwise)]);
      }
      case 'list': return Types.list(joinTypes(node.elements.map((e) => this.expr(e))));
      case 'map': {
        const keys = node.entries.map((e) => {
          const k = this.expr(e.key);
          if (!['string', 'int', 'uint', 'bool', 'dyn'].includes(k.kind))
            this.error(ExprCode.NoOverload, `a map key must be int, uint, bool or string, not ${formatType(k)}`, e.key);
          return k;
        });
        const values = node.entries.map((e) => this.expr(e.value));
        return Types.map(joinTypes(keys), joinTypes(values));
      }
      case 'call': return this.call(node);
      case 'comprehension': return this.comprehension(node);
    }
  }

  private ident(node: Extract<ExprNode, { kind: 'ident' }>): ExprType {
    for (let i = this.locals.length - 1; i >= 0; i--) if (this.locals[i]!.name === node.name) return this.locals[i]!.type;
    const t = scopeGet(this.scope, node.name);
    if (t) return t;
    if (CelType.types.has(node.name)) return Types.type;
    const names = [...this.locals.map((l) => l.name), ...scopeNames(this.scope)];
    this.error(ExprCode.UnknownVariable, `unknown variable \`${node.name}\``, node,
      didYouMean(node.name, names) ?? (names.length > 0 ? `variables in scope: ${names.map((n) => `\`${n}\``).join(', ')}` : undefined));
    return Types.dyn;
  }

  private field(t: ExprType, name: string, at: { start: number; end: number }, forHas = false): ExprType {
    switch (t.kind) {
      case 'dyn': return Types.dyn;
      case 'map':
        if (!isDyn(t.key) && t.key.kind !== 'string') return this.noOverload(`.${name}`, [t], at);
        return t.value;
      case 'object': {
        if (Object.hasOwn(t.fields, name)) return t.fields[name]!;
        if (t.additional) return t.additional;
        const names = Object.keys(t.fields);
        this.error(ExprCode.UnknownField, `unknown field \`${name}\`${forHas ? ' in has()' : ''}: the schema declares ${names.length > 0 ? names.map((n) => `\`${n}\``).join(', ') : 'no fields'}`, at,
          didYouMean(name, names) ?? 'add the property to the schema, or fix the name');
        return Types.dyn;
      }
      default:
        this.error(ExprCode.NoOverload, `a value of type ${formatType(t)} has no fields (\`.${name}\`)`, at);
        return Types.dyn;
    }
  }

  private index(node: Extract<ExprNode, { kind: 'index' }>): ExprType {
    const t = this.expr(node.operand);
    const k = this.expr(node.index);
    const at = { start: node.opStart, end: node.end };
    switch (t.kind) {
      case 'dyn': return Types.dyn;
      case 'list':
        if (!isDyn(k) && k.kind !== 'int' && k.kind !== 'uint') return this.noOverload('_[_]', [t, k], at, 'a list index is an int');
        return t.elem;
      case 'map':
        if (!isDyn(k) && !isDyn(t.key) && k.kind !== t.key.kind && !(NUMERIC.has(k.kind) && NUMERIC.has(t.key.kind))) return this.noOverload('_[_]', [t, k], at);
        return t.value;
      case 'object':
        if (node.index.kind === 'string') return this.field(t, node.index.value, node.index);
        if (!isDyn(k) && k.kind !== 'string') return this.noOverload('_[_]', [t, k], at);
        return Types.dyn;
      default: return this.noOverload('_[_]', [t, k], at);
    }
  }

  private binary(node: Extract<ExprNode, { kind: 'binary' }>): ExprType {
    const l = this.expr(node.left);
    const r = this.expr(node.right);
    const at = { start: node.opStart, end: node.opEnd };
    const op = node.op;
    switch (op) {
      case '&&':
      case '||':
        if ((l.kind !== 'bool' && !isDyn(l)) || (r.kind !== 'bool' && !isDyn(r))) this.noOverload(op, [l, r], at, 'both sides must be bool');
        return Types.bool;
      case '==':
      case '!=':
        if (!isDyn(l) && !isDyn(r) && l.kind !== 'null' && r.kind !== 'null' && l.kind !== r.kind && !(NUMERIC.has(l.kind) && NUMERIC.has(r.kind)) &&
          !((l.kind === 'map' || l.kind === 'object') && (r.kind === 'map' || r.kind === 'object')))
          this.noOverload(op, [l, r], at, 'values of different types are never equal; convert one side');
        return Types.bool;
      case '<': case '<=': case '>': case '>=':
        if (!isDyn(l) && !isDyn(r) && !(NUMERIC.has(l.kind) && NUMERIC.has(r.kind)) && !(l.kind === r.kind && ['string', 'bytes', 'bool'].includes(l.kind)))
          this.noOverload(op, [l, r], at);
        return Types.bool;
      case 'in':
        if (r.kind === 'list') {
          if (!assignable(l, r.elem) && !(NUMERIC.has(l.kind) && NUMERIC.has(r.elem.kind)) && l.kind !== 'null') this.noOverload('in', [l, r], at);
        } else if (r.kind === 'map') {
          if (!assignable(l, r.key) && !(NUMERIC.has(l.kind) && NUMERIC.has(r.key.kind))) this.noOverload('in', [l, r], at);
        } else if (r.kind === 'object') {
          if (!isDyn(l) && l.kind !== 'string') this.noOverload('in', [l, r], at);
        } else if (!isDyn(r)) this.noOverload('in', [l, r], at, 'the right side of `in` must be a list or a map');
        return Types.bool;
      default: {
        const allowed = op === '+' ? ['int', 'uint', 'double', 'string', 'bytes', 'list'] : op === '%' ? ['int', 'uint'] : ['int', 'uint', 'double'];
        if (isDyn(l) && isDyn(r)) return Types.dyn;
        if (isDyn(l) || isDyn(r)) {
          const known = isDyn(l) ? r : l;
          return allowed.includes(known.kind) ? (known.kind === 'list' ? Types.list(Types.dyn) : known) : this.noOverload(op, [l, r], at);
        }
        if (l.kind === r.kind && allowed.includes(l.kind)) return l.kind === 'list' && r.kind === 'list' ? Types.list(joinTypes([l.elem, r.elem])) : l;
        const mixedNumbers = NUMERIC.has(l.kind) && NUMERIC.has(r.kind);
        return this.noOverload(op, [l, r], at, mixedNumbers
          ? `CEL does not mix number types in arithmetic; convert one side, e.g. \`double(x)\` or \`int(x)\``
          : op === '+' && (l.kind === 'string' || r.kind === 'string') ? 'convert the other side with `string(x)`' : undefined);
      }
    }
  }

  private call(node: Extract<ExprNode, { kind: 'call' }>): ExprType {
    const target = node.target ? this.expr(node.target) : undefined;
    const args = node.args.map((a) => this.expr(a));
    const fnAt = { start: node.fnStart, end: node.fnStart + node.fn.length };
    const table = target ? MEMBER_FUNCTIONS : GLOBAL_FUNCTIONS;
    const def = table.get(node.fn);
    if (!def) {
      const other = target ? GLOBAL_FUNCTIONS.has(node.fn) : MEMBER_FUNCTIONS.has(node.fn);
      this.error(ExprCode.UnknownFunction, `unknown function \`${node.fn}\`${target ? ` on ${formatType(target)}` : ''}`, fnAt,
        other ? (target ? `call it as \`${node.fn}(x)\`` : `call it on a value, as \`x.${node.fn}(...)\``) : didYouMean(node.fn, table.keys()));
      return Types.dyn;
    }
    if (!def.arity.includes(args.length)) {
      this.error(ExprCode.UnknownFunction, `\`${node.fn}\` takes ${def.arity.join(' or ')} argument(s), not ${args.length}`, fnAt);
      return Types.dyn;
    }
    const all = target ? [target, ...args] : args;
    const wants = (i: number, ...kinds: string[]) => isDyn(all[i]!) || kinds.includes(all[i]!.kind);
    const bad = () => this.noOverload(node.fn, all, node);
    switch (node.fn) {
      case 'size': return wants(0, 'string', 'bytes', 'list', 'map', 'object') ? Types.int : bad();
      case 'int': return wants(0, 'int', 'uint', 'double', 'string') ? Types.int : bad();
      case 'uint': return wants(0, 'int', 'uint', 'double', 'string') ? Types.uint : bad();
      case 'double': return wants(0, 'int', 'uint', 'double', 'string') ? Types.double : bad();
      case 'string': return wants(0, 'int', 'uint', 'double', 'string', 'bool', 'bytes') ? Types.string : bad();
      case 'bool': return wants(0, 'bool', 'string') ? Types.bool : bad();
      case 'bytes': return wants(0, 'bytes', 'string') ? Types.bytes : bad();
      case 'type': return Types.type;
      case 'dyn': return Types.dyn;
      case 'matches': {
        if (!wants(0, 'string') || !wants(1, 'string')) return bad();
        const pattern = target ? node.args[0] : node.args[1];
        if (pattern?.kind === 'string') {
          try {
            new LinearRegex(pattern.value);
          } catch (e) {
            if (!(e instanceof RegexSyntaxError)) throw e;
            this.error(ExprCode.BadRegex, `invalid regular expression: ${e.message}`, pattern, 'patterns use RE2 syntax: no backreferences or lookaround');
          }
        }
        return Types.bool;
      }
      case 'contains': case 'startsWith': case 'endsWith':
        return wants(0, 'string') && wants(1, 'string') ? Types.bool : bad();
      case 'lowerAscii': case 'upperAscii': case 'trim':
        return wants(0, 'string') ? Types.string : bad();
      case 'replace': return wants(0, 'string') && wants(1, 'string') && wants(2, 'string') ? Types.string : bad();
      case 'split': return wants(0, 'string') && wants(1, 'string') ? Types.list(Types.string) : bad();
      case 'join': {
        const t = all[0]!;
        const okList = isDyn(t) || (t.kind === 'list' && (isDyn(t.elem) || t.elem.kind === 'string'));
        return okList && (all.length === 1 || wants(1, 'string')) ? Types.string : bad();
      }
      default: return Types.dyn;
    }
  }

  private comprehension(node: ComprehensionNode): ExprType {
    const range = this.expr(node.range);
    let elem: ExprType;
    if (range.kind === 'list') elem = range.elem;
    else if (range.kind === 'map') elem = range.key;
    else if (range.kind === 'object') elem = Types.string;
    else if (isDyn(range)) elem = Types.dyn;
    else {
      this.error(ExprCode.NoOverload, `\`${node.macro}\` needs a list or a map, not ${formatType(range)}`, node.range);
      elem = Types.dyn;
    }
    return this.withLocals([{ name: node.variable, type: elem }], () => {
      const predicate = (n: ExprNode) => {
        const t = this.expr(n);
        if (t.kind !== 'bool' && !isDyn(t)) this.error(ExprCode.WrongType, `the predicate of \`${node.macro}\` must be bool, not ${formatType(t)}`, n);
      };
      switch (node.macro) {
        case 'map':
          if (node.filter) predicate(node.filter);
          return Types.list(this.expr(node.body));
        case 'filter':
          predicate(node.body);
          return Types.list(elem);
        default:
          predicate(node.body);
          return Types.bool;
      }
    });
  }

  template(nodes: TemplateNode[]): void {
    for (const n of nodes) {
      switch (n.kind) {
        case 'text': break;
        case 'interpolation': this.expr(n.expr); break;
        case 'if':
          for (const b of n.branches) {
            const t = this.expr(b.test);
            if (t.kind !== 'bool' && !isDyn(t)) this.error(ExprCode.WrongType, `the condition of \`{{#if}}\` must be bool, not ${formatType(t)}`, b.test,
              t.kind === 'list' || t.kind === 'map' || t.kind === 'string' ? 'test the size, e.g. `size(x) > 0`' : t.kind === 'null' ? undefined : 'compare it, e.g. `x != null`');
            this.template(b.body);
          }
          if (n.otherwise) this.template(n.otherwise);
          break;
        case 'each': {
          const t = this.expr(n.list);
          let elem: ExprType = Types.dyn;
          if (t.kind === 'list') elem = t.elem;
          else if (t.kind === 'map') elem = t.key;
          else if (t.kind === 'object') elem = Types.string;
          else if (!isDyn(t)) this.error(ExprCode.WrongType, `\`{{#each}}\` needs a list or a map, not ${formatType(t)}`, n.list);
          const bindings = [{ name: n.item, type: elem }];
          if (n.index !== undefined) bindings.push({ name: n.index, type: Types.int });
          this.withLocals(bindings, () => this.template(n.body));
          break;
        }
      }
    }
  }
}

/**
 * Type-checks an expression against the variables in scope. Unknown variables and fields are
 * errors with a "did you mean" hint; operators applied to the wrong types are errors at the
 * operator; with `expectType`, a result of another type is an error over the whole expression.
 */
export function checkExpression(ast: ExprNode, scope: Scope, options: CheckOptions = {}): { type: ExprType; diagnostics: ExprDiagnostic[] } {
  const checker = new Checker(scope, options.onType);
  const type = checker.expr(ast);
  const expected = options.expectType;
  if (expected && !assignable(type, expected)) {
    const role = options.role ? `${options.role} must be` : 'expected';
    const hint = expected.kind === 'bool' && (type.kind === 'list' || type.kind === 'string' || type.kind === 'map')
      ? 'test it, e.g. `size(x) > 0`'
      : expected.kind === 'list' && type.kind === 'map' ? 'iterate the keys with `x.map(k, k)`, or use a list' : undefined;
    checker.diagnostics.push({
      code: ExprCode.WrongType,
      message: `${role} ${expected.kind === 'list' ? 'a list' : formatType(expected)}, but this expression is ${formatType(type)}`,
      start: ast.start,
      end: ast.end,
      ...(hint ? { hint } : {}),
    });
  }
  return { type, diagnostics: checker.diagnostics };
}

/** Type-checks every expression of a template: `{{#if}}` conditions must be bool, `{{#each}}` lists. */
export function checkTemplate(ast: TemplateAst, scope: Scope, options: Pick<CheckOptions, 'onType'> = {}): { diagnostics: ExprDiagnostic[] } {
  const checker = new Checker(scope, options.onType);
  checker.template(ast.body);
  return { diagnostics: checker.diagnostics };
}
