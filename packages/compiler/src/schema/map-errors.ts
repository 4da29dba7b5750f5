import type { ErrorObject } from 'ajv';
import { type DiagnosticCode, makeDiagnostic } from '../diagnostics/codes.js';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import { closestMatch, didYouMean } from '../util/suggest.js';
import type { PathTarget, ValuePath } from '../yaml/ranges.js';
import { chooseBranch, jsonTypeOf, resolveRef, type SchemaLocation, schemaAt, throughUnions } from './navigate.js';
import { type SchemaNode, skillSchema, subSchemaValidator } from './schema.js';

/** Where diagnostics are placed: turns a value path into a source range. */
export type Locate = (path: ValuePath, target: PathTarget) => Range;

/** The source text of a range (to quote what the user wrote, e.g. `1.10` rather than the number 1.1). */
export type TextOf = (range: Range) => string;

/** Plain-language forms of the schema's patterns, so an error says what is expected, not a regex. */
const PATTERN_MEANINGS: Record<string, string> = {
  '^[A-Za-z_][A-Za-z0-9_]*$': 'an identifier (letters, digits and `_`, not starting with a digit)',
  '^[A-Za-z][A-Za-z0-9_-]*$': 'an engine name (letters, digits, `-` and `_`, starting with a letter)',
  '^[a-z][a-z0-9_]*$': 'a runtime error code (lower-case letters, digits and `_`, e.g. `token_budget_exceeded`)',
};

/** Formats a value path for messages: `steps[2].prompt.user`. */
function describePath(path: ValuePath): string {
  if (path.length === 0) return 'the skill';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? (out ? `.${segment}` : segment) : `[${JSON.stringify(segment)}]`;
  }
  return `\`${out}\``;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const ARTICLE: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'null' };
const typeWords = (types: string[]) => types.map((t) => ARTICLE[t] ?? t).join(' or ');
/** The found type in words; a whole number is just "a number" unless numbers were expected. */
const foundWords = (value: unknown, expected: string[]) => {
  const actual = jsonTypeOf(value);
  return typeWords([actual === 'integer' && !expected.includes('number') ? 'number' : actual]);
};

function valueAt(data: unknown, path: ValuePath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Converts an ajv instancePath (JSON Pointer) to a value path, with numbers for list indices. */
function toPath(data: unknown, pointer: string): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let value = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(value) ? Number(key) : key;
    path.push(segment);
    value = value === null || typeof value !== 'object' ? undefined : (value as Record<string | number, unknown>)[segment];
  }
  return path;
}

/** A set of paths that answers "is this path at or below one of them" by looking up its prefixes (not by comparing with each member). */
class PathSet {
  private readonly keys = new Set<string>();
  private static key(path: ValuePath, length: number): string {
    let key = '';
    for (let i = 0; i < length; i++) key += `\u0000${typeof path[i] === 'number' ? '#' : '.'}${path[i]}`;
    return key;
  }
  add(path: ValuePath): void {
    this.keys.add(PathSet.key(path, path.length));
  }
  covers(path: ValuePath): boolean {
    if (this.keys.size === 0) return false;
    let key = '';
    if (this.keys.has(key)) return true;
    for (const segment of path) {
      key += `\u0000${typeof segment === 'number' ? '#' : '.'}${segment}`;
      if (this.keys.has(key)) return true;
    }
    return false;
  }
}

interface Context {
  root: SchemaNode;
  file: string;
  locate: Locate;
  textOf: TextOf;
  out: Diagnostic[];
}

/**
 * Collapses ajv's raw errors into one diagnostic per root cause, each placed at the exact YAML node:
 * unions are resolved to the branch the value was meant for (and only its errors are kept), unknown
 * keys point at the key with a did-you-mean hint, missing keys at the mapping, wrong types at the value.
 */
export function mapSchemaErrors(errors: readonly ErrorObject[], data: unknown, file: string, locate: Locate, textOf: TextOf = () => ''): Diagnostic[] {
  const context: Context = { root: skillSchema(), file, locate, textOf, out: [] };
  mapErrors(context, errors, data, { pointer: '', node: context.root }, []);
  return context.out;
}

function mapErrors(context: Context, errors: readonly ErrorObject[], data: unknown, start: SchemaLocation, base: ValuePath): void {
  const items = errors.map((error) => ({ error, path: toPath(data, error.instancePath) }));
  // Outermost unions first: their branches' errors are replaced by the chosen branch's own validation.
  const unions = items.filter((i) => i.error.keyword === 'oneOf' || i.error.keyword === 'anyOf').sort((a, b) => a.path.length - b.path.length);
  const handled = new PathSet();
  for (const union of unions) {
    if (handled.covers(union.path)) continue;
    handled.add(union.path);
    mapUnion(context, data, start, base, union.path);
  }
  const typeErrorPaths = new PathSet();
  const missing = new Map<string, string[]>();
  // A misspelled required key is one mistake: report the unknown key (with its did-you-mean), not also the missing one.
  const unknownKeys = new Map<string, string[]>();
  for (const { error } of items) {
    if (error.keyword !== 'additionalProperties') continue;
    const keys = unknownKeys.get(error.instancePath);
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    if (keys) keys.push(key);
    else unknownKeys.set(error.instancePath, [key]);
  }
  const misspelled = (error: ErrorObject) => {
    const wanted = String((error.params as { missingProperty: string }).missingProperty);
    return (unknownKeys.get(error.instancePath) ?? []).some((k) => closestMatch(k, [wanted]) === wanted);
  };
  for (const { error, path } of items) {
    if (error.keyword !== 'required' || handled.covers(path) || misspelled(error)) continue;
    const keys = missing.get(error.instancePath);
    const key = String((error.params as { missingProperty: string }).missingProperty);
    if (keys) keys.push(key);
    else missing.set(error.instancePath, [key]);
  }
  for (const { error, path } of items) {
    if (error.keyword === 'required') {
      const keys = missing.get(error.instancePath);
      if (!keys || keys[0] !== String((error.params as { missingProperty: string }).missingProperty)) continue;
    }
    if (handled.covers(path)) continue;
    // ajv reports a bad property name twice (the inner keyword and `propertyNames`); keep the latter.
    if ((error as { propertyName?: string }).propertyName !== undefined) continue;
    if (typeErrorPaths.covers(path)) continue;
    if (error.keyword === 'type') typeErrorPaths.add(path);
    mapOne(context, error, data, start, base, path, missing.get(error.instancePath));
  }
}

function mapUnion(context: Context, data: unknown, start: SchemaLocation, base: ValuePath, path: ValuePath): void {
  const { root, file, locate, out } = context;
  const location = schemaAt(root, start, data, path);
  const value = valueAt(data, path);
  const full = [...base, ...path];
  if (!location) return;
  const choice = chooseBranch(root, location, value);
  if (choice.kind === 'branch') {
    const validate = subSchemaValidator(choice.branch.pointer);
    if (!validate(value)) mapErrors(context, validate.errors ?? [], value, choice.branch, full);
    return;
  }
  if (choice.kind === 'type') {
    out.push(makeDiagnostic('SDL2003', file, locate(full, 'value'), `${describePath(full)} must be ${typeWords(choice.expected)}, found ${foundWords(value, choice.expected)}`, quoteHint(context, full, choice.expected, value)));
    return;
  }
  const isStep = full.length === 2 && full[0] === 'steps';
  const id = isStep && typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : undefined;
  const subject = isStep ? (id !== undefined ? `step \`${id}\`` : `step ${describePath(full)}`) : describePath(full);
  const keys = choice.keys.map((k) => `\`${k}\``);
  const options = keys.length > 1 ? `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}` : keys.join('');
  if (choice.kind === 'no-key') {
    // A misspelled kind key is the likely cause: point at it.
    const present = Object.keys((value ?? {}) as object);
    const typo = present.find((k) => didYouMean(k, choice.keys) !== undefined);
    const at: ValuePath = typo !== undefined ? [...full, typo] : full;
    out.push(
      makeDiagnostic('SDL2010', file, locate(at, typo !== undefined ? 'key' : 'head'), `${subject} needs one of ${options}`, typo !== undefined ? didYouMean(typo, choice.keys) : `add ${options}: a step either prompts a model, uses another skill or calls a tool`),
    );
    return;
  }
  const second = choice.keys[1] ?? choice.keys[0]!;
  out.push(makeDiagnostic('SDL2011', file, locate([...full, second], 'key'), `${isStep ? 'a step' : describePath(full)} can have only one of ${options}`, 'split it into separate steps, one per kind'));
}

/** For a key that is valid one level down (`temperature` on a step), names the mapping it belongs in. */
function belongsUnder(root: SchemaNode, node: SchemaNode | undefined, key: string): string | undefined {
  const properties = (node?.properties ?? {}) as Record<string, SchemaNode>;
  for (const [name, sub] of Object.entries(properties)) {
    const child = resolveRef(root, { pointer: '', node: sub }).node;
    const childProperties = child.properties as Record<string, unknown> | undefined;
    if (child.type === 'object' && childProperties && Object.hasOwn(childProperties, key)) return `\`${key}\` belongs under \`${name}:\``;
  }
  return undefined;
}

function quoteHint(context: Context, full: ValuePath, expected: string[], value: unknown): string | undefined {
  if (expected.includes('string') && (typeof value === 'number' || typeof value === 'boolean' || value === null)) {
    const written = context.textOf(context.locate(full, 'value')).trim() || String(value);
    return `quote the value so YAML keeps it a string: "${written.replace(/"/g, '\\"')}"`;
  }
  return undefined;
}

function mapOne(context: Context, error: ErrorObject, data: unknown, start: SchemaLocation, base: ValuePath, path: ValuePath, missingKeys: string[] = []): void {
  const { root, file, locate, out } = context;
  const full = [...base, ...path];
  const value = valueAt(data, path);
  const params = error.params as Record<string, unknown>;
  const push = (code: DiagnosticCode, at: ValuePath, target: PathTarget, message: string, hint?: string) => out.push(makeDiagnostic(code, file, locate(at, target), message, hint));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const location = schemaAt(root, start, data, path);
      const node = location ? throughUnions(root, location, value).node : undefined;
      const allowed = Object.keys((node?.properties as object | undefined) ?? {});
      const hint = didYouMean(key, allowed) ?? belongsUnder(root, node, key) ?? (/\s/.test(key) ? 'this looks like text split at a comma: inside `{ }` a comma separates entries, so quote values that contain commas' : undefined) ?? (allowed.length > 0 && allowed.length <= 12 ? `allowed keys here: ${allowed.join(', ')}` : undefined);
      push('SDL2001', [...full, key], 'key', `unknown key \`${key}\` ${full.length === 0 ? 'at the top level' : `in ${describePath(full)}`}`, hint);
      return;
    }
    case 'required': {
      const keys = missingKeys.length > 0 ? missingKeys : [String(params.missingProperty)];
      const location = schemaAt(root, start, data, path);
      const properties = location ? (throughUnions(root, location, value).node.properties as Record<string, SchemaNode> | undefined) : undefined;
      const property = properties?.[keys[0]!];
      const about = keys.length === 1 && typeof property?.description === 'string' ? ` (${property.description.replace(/\.$/, '')})` : '';
      const names = keys.map((k) => `\`${k}\``);
      const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]!;
      push('SDL2002', full, 'head', `${describePath(full)} is missing the required key${keys.length > 1 ? 's' : ''} ${list}`, `add ${keys.map((k) => `\`${k}:\``).join(', ')}${about}`);
      return;
    }
    case 'type': {
      const expected = Array.isArray(params.type) ? (params.type as string[]) : String(params.type).split(',');
      push('SDL2003', full, 'value', `${describePath(full)} must be ${typeWords(expected)}, found ${foundWords(value, expected)}`, quoteHint(context, full, expected, value));
      return;
    }
    case 'enum':
    case 'const': {
      const allowed = (error.keyword === 'enum' ? (params.allowedValues as unknown[]) : [params.allowedValue]).map(String);
      if (full.length === 1 && full[0] === 'sdl') {
        push('SDL2005', full, 'value', `unsupported SDL version ${show(value)}; this compiler reads version ${allowed.map((a) => `"${a}"`).join(', ')}`, `write \`sdl: "${allowed[0]}"\` (quoted)`);
        return;
      }
      const hint = (typeof value === 'string' ? didYouMean(value, allowed) : undefined) ?? `use one of: ${allowed.join(', ')}`;
      push('SDL2004', full, 'value', `${show(value)} is not allowed for ${describePath(full)}`, hint);
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'greater than', exclusiveMaximum: 'less than' }[error.keyword];
      push('SDL2006', full, 'value', `${describePath(full)} must be ${words} ${String(params.limit)}, found ${show(value)}`);
      return;
    }
    case 'pattern':
    case 'format': {
      const form = error.keyword === 'pattern' ? (PATTERN_MEANINGS[String(params.pattern)] ?? `a string matching /${String(params.pattern)}/`) : `a valid ${String(params.format)}`;
      push('SDL2007', full, 'value', `${describePath(full)} must be ${form}, found ${show(value)}`);
      return;
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const location = schemaAt(root, start, data, path);
      const names = location?.node.propertyNames as SchemaNode | undefined;
      const ref = typeof names?.$ref === 'string' ? names.$ref : '';
      const form = ref.endsWith('identifier') ? PATTERN_MEANINGS['^[A-Za-z_][A-Za-z0-9_]*$'] : ref.endsWith('engine_name') ? PATTERN_MEANINGS['^[A-Za-z][A-Za-z0-9_-]*$'] : 'a valid name';
      const suggestion = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^([0-9])/, '_$1');
      push('SDL2007', [...full, name], 'key', `\`${name}\` is not a valid name in ${describePath(full)}: it must be ${form}`, ref.endsWith('identifier') ? `rename it, e.g. \`${suggestion}\`` : undefined);
      return;
    }
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params.limit);
      const what = error.keyword.endsWith('Length') ? 'character' : 'item';
      const message = error.keyword === 'minLength' && limit === 1 ? `${describePath(full)} must not be empty` : error.keyword === 'minItems' && limit === 1 ? `${describePath(full)} must have at least one item` : `${describePath(full)} must have ${error.keyword.startsWith('min') ? 'at least' : 'at most'} ${limit} ${what}${limit === 1 ? '' : 's'}`;
      push('SDL2008', full, 'value', message);
      return;
    }
    case 'uniqueItems': {
      const j = Number(params.j);
      const i = Number(params.i);
      push('SDL2012', [...full, Math.max(i, j)], 'value', `${describePath(full)} lists ${show((value as unknown[])[Math.max(i, j)])} twice (items ${Math.min(i, j) + 1} and ${Math.max(i, j) + 1})`, 'remove the repeated item');
      return;
    }
    case 'minProperties':
    case 'maxProperties': {
      // An assertion sits at `tests[i].expect.<path>`, or nested under a `not:` of one.
      const isAssertion = full[0] === 'tests' && full[2] === 'expect' && (full.length === 4 || (full.length > 4 && full.at(-1) === 'not'));
      const message = isAssertion ? `the assertion ${describePath(full)} must give exactly one check` : `${describePath(full)} must have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} entries`;
      push('SDL2013', full, 'head', message, isAssertion ? 'use one of `equals`, `contains`, `matches`, `type`, `schema`, `length`, `tool_called` or `not`; write several assertions for several checks' : undefined);
      return;
    }
    default:
      push('SDL2099', full, 'value', `${describePath(full)} ${error.message ?? 'is not valid'}`);
  }
}
