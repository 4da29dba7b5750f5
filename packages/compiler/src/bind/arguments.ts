import { isRecord } from '../check/context.js';
import { assignable } from '../expr/check.js';
import { formatType, Types, typeFromSchema, type ExprType } from '../expr/types.js';
import { didYouMean } from '../util/suggest.js';

/** One `with:` argument as the binder sees it: an expression's type, or a literal YAML value. */
export type ArgumentValue = { kind: 'expression'; type: ExprType } | { kind: 'literal'; value: unknown };

/** A problem with the `with:` arguments of a `use:` or `tool:` step. */
export interface ArgumentProblem {
  kind: 'missing' | 'unknown' | 'type';
  /** The argument concerned. */
  name: string;
  message: string;
  hint?: string;
}

const jsonTypeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v === 'object' ? 'object' : typeof v;

/** Whether a literal JSON value has one of the schema's `type`s (the rest of the schema is the runtime's job). */
function literalFits(value: unknown, schema: unknown): boolean {
  if (!isRecord(schema)) return true;
  if (Object.hasOwn(schema, 'const')) return JSON.stringify(schema.const) === JSON.stringify(value);
  if (Array.isArray(schema.enum)) return schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value));
  for (const key of ['anyOf', 'oneOf'] as const) if (Array.isArray(schema[key])) return (schema[key] as unknown[]).some((s) => literalFits(value, s));
  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : undefined;
  if (!types) return true;
  const actual = jsonTypeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function describeSchema(schema: unknown): string {
  if (!isRecord(schema)) return 'any value';
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  return formatType(typeFromSchema(schema));
}

/** Expression types accepted for a parameter: as the checker says, plus int/uint where a JSON `number` is wanted. */
function expressionFits(actual: ExprType, expected: ExprType): boolean {
  if (expected.kind === 'double' && (actual.kind === 'int' || actual.kind === 'uint')) return true;
  return assignable(actual, expected);
}

/**
 * Checks `with:` arguments against the object schema of what is called (a used skill's `inputs`,
 * a tool's `parameters`): required properties present (unless they have a `default`), no
 * undeclared names when the schema is closed, and each value of the declared type.
 */
export function checkArguments(args: ReadonlyMap<string, ArgumentValue>, schema: unknown, callee: string): ArgumentProblem[] {
  if (!isRecord(schema)) return [];
  const problems: ArgumentProblem[] = [];
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const names = Object.keys(properties);
  const open = schema.additionalProperties === true || isRecord(schema.additionalProperties) || (!isRecord(schema.properties) && schema.additionalProperties !== false);
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  for (const name of required) {
    if (args.has(name)) continue;
    const property = properties[name];
    if (isRecord(property) && Object.hasOwn(property, 'default')) continue;
    problems.push({ kind: 'missing', name, message: `${callee} requires the argument \`${name}\`, which \`with:\` does not give`, hint: `add \`${name}: <expression>\` under \`with:\`` });
  }
  for (const [name, value] of args) {
    if (!Object.hasOwn(properties, name)) {
      if (open) continue;
      problems.push({
        kind: 'unknown',
        name,
        message: `${callee} has no input \`${name}\``,
        hint: didYouMean(name, names) ?? (names.length > 0 ? `its inputs are: ${names.map((n) => `\`${n}\``).join(', ')}` : 'it takes no inputs; remove the argument'),
      });
      continue;
    }
    const property = properties[name];
    if (value.kind === 'literal') {
      if (!literalFits(value.value, property)) {
        problems.push({ kind: 'type', name, message: `argument \`${name}\` of ${callee} must be ${describeSchema(property)}, but this is ${jsonTypeOf(value.value)}`, hint: typeof value.value === 'number' ? 'write a number of the declared type' : 'give a value of the declared type' });
      }
    } else {
      const expected = typeFromSchema(property);
      if (expected !== Types.dyn && !expressionFits(value.type, expected)) {
        problems.push({ kind: 'type', name, message: `argument \`${name}\` of ${callee} must be ${formatType(expected)}, but this expression is ${formatType(value.type)}`, hint: expected.kind === 'string' && value.type.kind !== 'string' ? 'convert it with `string(...)`' : undefined });
      }
    }
  }
  return problems;
}
