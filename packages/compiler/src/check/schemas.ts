import { didYouMean } from '../util/suggest.js';
import type { ValuePath } from '../yaml/ranges.js';
import { asArray, type Check, type CheckContext, isRecord, stepsOf } from './context.js';

/** Every embedded JSON Schema: `required` names only properties the schema declares. */
export const checkSchemas: Check = (context) => {
  const { skill } = context;
  walk(context, skill.inputs, ['inputs']);
  walk(context, skill.outputs, ['outputs']);
  if (isRecord(skill.tools)) {
    for (const [name, tool] of Object.entries(skill.tools)) {
      if (!isRecord(tool)) continue;
      walk(context, tool.parameters, ['tools', name, 'parameters']);
      walk(context, tool.returns, ['tools', name, 'returns']);
    }
  }
  for (const { step, index } of stepsOf(skill)) if (isRecord(step.output)) walk(context, step.output, ['steps', index, 'output']);
};

function walk(context: CheckContext, schema: unknown, path: ValuePath, depth = 0): void {
  if (!isRecord(schema) || depth > 64) return;
  const properties = isRecord(schema.properties) ? schema.properties : undefined;
  if (properties) {
    const declared = Object.keys(properties);
    asArray(schema.required).forEach((name, i) => {
      if (typeof name === 'string' && !Object.hasOwn(properties, name)) {
        const hint = didYouMean(name, declared) ?? 'declare it under `properties` or remove it from `required`';
        context.report('SDL3019', [...path, 'required', i], 'value', `\`${name}\` is required but not declared in \`properties\``, hint);
      }
    });
  }
  if (Object.hasOwn(schema, 'default')) checkDefault(context, schema, path);
  if (properties) for (const [key, sub] of Object.entries(properties)) walk(context, sub, [...path, 'properties', key], depth + 1);
  walk(context, schema.items, [...path, 'items'], depth + 1);
  if (isRecord(schema.additionalProperties)) walk(context, schema.additionalProperties, [...path, 'additionalProperties'], depth + 1);
  for (const key of ['anyOf', 'oneOf'] as const) asArray(schema[key]).forEach((sub, i) => walk(context, sub, [...path, key, i], depth + 1));
}


const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  array: (v) => Array.isArray(v),
  object: (v) => isRecord(v),
};

/** A `default` must itself be a valid value: of the declared type and, with `enum`, one of its values. */
function checkDefault(context: CheckContext, schema: Record<string, unknown>, path: ValuePath): void {
  const value = schema.default;
  const types = typeof schema.type === 'string' ? [schema.type] : asArray(schema.type).filter((t): t is string => typeof t === 'string');
  if (types.length > 0 && !types.some((t) => JSON_TYPES[t]?.(value) ?? true)) {
    context.report('SDL3022', [...path, 'default'], 'value', `default ${JSON.stringify(value)} is not of type ${types.join(' or ')}`, 'make the default a valid value of the property');
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    const allowed = schema.enum.map((e) => String(e));
    const hint = (typeof value === 'string' ? didYouMean(value, allowed) : undefined) ?? `use one of: ${allowed.join(', ')}`;
    context.report('SDL3022', [...path, 'default'], 'value', `default ${JSON.stringify(value)} is not one of the allowed values`, hint);
  }
}
