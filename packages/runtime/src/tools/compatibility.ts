/**
 * Structural compatibility between the schema a skill declares for a tool and the schema the host
 * registered. "Compatible" means every value the declaration allows is accepted by the host (for
 * arguments) and every value the host promises is allowed by the declaration (for results). This is
 * a conservative check of the keywords that matter in practice (type, properties, required,
 * additionalProperties, enum, items), not a full schema-subsumption proof.
 */
import type { JsonSchema } from '@sdl/adapters';

type SchemaObject = { [key: string]: unknown };

function asObject(schema: unknown): SchemaObject | undefined {
  return schema !== null && typeof schema === 'object' && !Array.isArray(schema) ? (schema as SchemaObject) : undefined;
}

function typeSet(schema: SchemaObject): Set<string> | undefined {
  const type = schema.type;
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === 'string'));
  return undefined;
}

function accepts(acceptor: Set<string>, type: string): boolean {
  return acceptor.has(type) || (type === 'integer' && acceptor.has('number'));
}

const where = (path: string) => (path === '' ? '' : `\`${path}\`: `);

/**
 * Lists why values allowed by `narrow` may be refused by `wide` (empty when compatible).
 * Paths are dotted property paths (`options.limit`).
 */
export function subsetProblems(narrow: JsonSchema, wide: JsonSchema, path = ''): string[] {
  if (wide === true || asObject(wide) === undefined) return wide === false ? [`${where(path)}accepts nothing`] : [];
  const n = asObject(narrow) ?? {};
  const w = asObject(wide)!;
  const problems: string[] = [];

  const wideTypes = typeSet(w);
  const narrowTypes = typeSet(n);
  if (wideTypes !== undefined) {
    if (narrowTypes === undefined) {
      problems.push(`${where(path)}must be ${[...wideTypes].join(' or ')}, but the skill allows any type`);
    } else {
      const extra = [...narrowTypes].filter((t) => !accepts(wideTypes, t));
      if (extra.length > 0) {
        problems.push(`${where(path)}host expects ${[...wideTypes].join(' or ')}, skill declares ${[...narrowTypes].join(' or ')}`);
      }
    }
  }

  if (Array.isArray(w.enum)) {
    const allowed = new Set(w.enum.map((v) => JSON.stringify(v)));
    const declared = Array.isArray(n.enum) ? n.enum : 'const' in n ? [n.const] : undefined;
    if (declared === undefined) problems.push(`${where(path)}host accepts only ${w.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    else {
      const extra = declared.filter((v) => !allowed.has(JSON.stringify(v)));
      if (extra.length > 0) problems.push(`${where(path)}host does not accept ${extra.map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }

  const wideProps = asObject(w.properties) ?? {};
  const narrowProps = asObject(n.properties) ?? {};
  const narrowRequired = new Set(Array.isArray(n.required) ? (n.required as string[]) : []);
  for (const required of Array.isArray(w.required) ? (w.required as string[]) : []) {
    if (!narrowRequired.has(required)) {
      const child = path === '' ? required : `${path}.${required}`;
      problems.push(
        required in narrowProps
          ? `\`${child}\` is required by the host but optional in the skill's declaration`
          : `\`${child}\` is required by the host but not declared by the skill`,
      );
    }
  }
  for (const [name, narrowProp] of Object.entries(narrowProps)) {
    const child = path === '' ? name : `${path}.${name}`;
    if (name in wideProps) {
      problems.push(...subsetProblems(narrowProp as JsonSchema, wideProps[name] as JsonSchema, child));
    } else if (w.additionalProperties === false) {
      problems.push(`\`${child}\` is declared by the skill but not accepted by the host`);
    } else if (asObject(w.additionalProperties) !== undefined) {
      problems.push(...subsetProblems(narrowProp as JsonSchema, w.additionalProperties as JsonSchema, child));
    }
  }
  if (w.items !== undefined && n.items !== undefined) {
    problems.push(...subsetProblems(n.items as JsonSchema, w.items as JsonSchema, `${path}[]`));
  }
  return problems;
}

/** Why a registered tool cannot serve a declared one (empty when it can). */
export function toolIncompatibilities(
  declared: { parameters: JsonSchema; returns?: JsonSchema },
  registered: { parameters: JsonSchema; returns?: JsonSchema },
): string[] {
  const problems = subsetProblems(declared.parameters, registered.parameters).map((p) => `arguments: ${p}`);
  if (declared.returns !== undefined && registered.returns !== undefined) {
    problems.push(...subsetProblems(registered.returns, declared.returns).map((p) => `result: ${p}`));
  }
  return problems;
}
