/**
 * Completion: skill-file keys and values from the skill schema (with its documentation), and inside
 * expressions and templates the variables, fields, functions and macros in scope.
 */
import path from 'node:path';
import {
  FUNCTION_SIGNATURES,
  formatType,
  resolveRef,
  schemaAt,
  skillSchema,
  throughUnions,
  type ExprType,
  type SchemaLocation,
  type SchemaNode,
} from '@sdl/compiler';
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import { scopeOf, sourceAt, valueAt } from './document.js';
import { expressionBefore, exprCursor, scopeAtEnd, typeOfChain } from './expr-context.js';
import type { Project, SkillFile } from './project.js';
import { isRecord } from './util.js';
import { yamlContext, type YamlContext } from './yaml-context.js';

const KEYWORDS = ['true', 'false', 'null'];

/** Completion items at `offset` of `file`. */
export function complete(project: Project, file: SkillFile, offset: number): CompletionItem[] {
  const parsed = file.result.parsed;
  const source = file.result.source;
  if (!source) return [];
  if (parsed) {
    const at = sourceAt(parsed, offset);
    if (at) {
      const template = at.compiled.kind === 'template';
      const before = expressionBefore(at.compiled.src.slice(0, at.valueOffset), template);
      if (before === undefined) return [];
      return expressionItems(project, file, at.pointer, at.compiled.src.slice(0, at.valueOffset), before, template);
    }
  }
  const line = source.lineIndexOf(offset);
  const lines = source.text.split(/\r\n|\r|\n/);
  const context = yamlContext(lines, line, source.text.slice(source.lineStarts[line]!, offset));
  if (!context) return [];
  return context.kind === 'key' ? keyItems(project, file, context) : valueItems(project, file, context);
}

function expressionItems(project: Project, file: SkillFile, pointer: string, valueBefore: string, expression: string, template: boolean): CompletionItem[] {
  const cursor = exprCursor(expression);
  if (!cursor) return [];
  const scope = scopeAtEnd(valueBefore, scopeOf(file.result.parsed!, pointer, project.dependencies(file)), template);
  const items: CompletionItem[] = [];
  if (cursor.kind === 'member') {
    const type = typeOfChain(cursor.chain, scope);
    const skill = isRecord(file.result.parsed!.value) ? file.result.parsed!.value : {};
    if (type.kind === 'object') {
      for (const [name, fieldType] of Object.entries(type.fields)) {
        const doc = fieldDoc(skill, `${cursor.chain}.${name}`);
        items.push({ label: name, kind: CompletionItemKind.Field, detail: formatType(fieldType), sortText: `0${name}`, ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}) });
      }
    }
    for (const sig of FUNCTION_SIGNATURES) {
      if (sig.style === 'global' || (sig.style === 'macro' && sig.name === 'has')) continue;
      if (!memberApplies(sig.name, sig.style, type)) continue;
      items.push(functionItem(sig.name, sig.forms, sig.doc, sig.style === 'macro'));
    }
    return items;
  }
  for (const [name, type] of scope) items.push({ label: name, kind: CompletionItemKind.Variable, detail: formatType(type), sortText: `0${name}` });
  for (const sig of FUNCTION_SIGNATURES) if (sig.style === 'global' || sig.name === 'has') items.push(functionItem(sig.name, sig.forms, sig.doc, sig.style === 'macro'));
  for (const keyword of KEYWORDS) items.push({ label: keyword, kind: CompletionItemKind.Keyword, sortText: `2${keyword}` });
  return items;
}

/** Whether a receiver-style function or macro can be called on a value of `type`. */
function memberApplies(name: string, style: string, type: ExprType): boolean {
  if (type.kind === 'dyn') return true;
  if (style === 'macro') return type.kind === 'list' || type.kind === 'map' || type.kind === 'object';
  if (name === 'size') return ['string', 'bytes', 'list', 'map', 'object'].includes(type.kind);
  if (name === 'join') return type.kind === 'list';
  return type.kind === 'string';
}

function functionItem(name: string, forms: string[], doc: string, macro: boolean): CompletionItem {
  return {
    label: name,
    kind: macro ? CompletionItemKind.Keyword : CompletionItemKind.Function,
    detail: forms.join('  |  '),
    documentation: { kind: MarkupKind.Markdown, value: `${forms.map((f) => `\`${f}\``).join('\n\n')}\n\n${doc}` },
    insertText: `${name}($1)`,
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: `1${name}`,
  };
}

/** The `description` of the input field a chain such as `inputs.user.name` reads, when its schema has one. */
export function fieldDoc(skill: Record<string, unknown>, chain: string): string | undefined {
  const parts = chain.split(/\s*\.\s*/);
  if (parts[0] !== 'inputs') return undefined;
  let schema: unknown = skill.inputs;
  for (const part of parts.slice(1)) {
    const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : undefined;
    schema = properties?.[part];
  }
  return isRecord(schema) && typeof schema.description === 'string' ? schema.description : undefined;
}

// Keys and values --------------------------------------------------------------------------------

const ROOT: SchemaLocation = { pointer: '', node: skillSchema() };

/** The object schemas that may apply at `path`: the chosen branch of a union, or every branch when the data does not tell. */
export function schemasAt(value: unknown, path: readonly (string | number)[]): SchemaNode[] {
  const root = skillSchema();
  const location = schemaAt(root, ROOT, value, path);
  if (!location) return [];
  const chosen = throughUnions(root, location, valueAt(value, path) ?? {});
  const node = chosen.node;
  const union = (node.oneOf ?? node.anyOf) as SchemaNode[] | undefined;
  if (!Array.isArray(union)) return [node];
  return union.map((branch, i) => resolveRef(root, { pointer: `${chosen.pointer}/oneOf/${i}`, node: branch }).node);
}

/** The documentation of a schema node: its description, then its examples. */
export function schemaDoc(node: SchemaNode): string | undefined {
  const description = typeof node.description === 'string' ? node.description : undefined;
  const examples = Array.isArray(node.examples) && node.examples.length > 0 ? node.examples[0] : undefined;
  const example = examples === undefined ? '' : `\n\nExample: \`${JSON.stringify(examples).slice(0, 200)}\``;
  return description === undefined ? undefined : `${description}${example}`;
}

function keyItems(project: Project, file: SkillFile, context: Extract<YamlContext, { kind: 'key' }>): CompletionItem[] {
  const value = file.value;
  const present = valueAt(value, context.path);
  const items = new Map<string, CompletionItem>();
  for (const node of schemasAt(value, context.path)) {
    const properties = isRecord(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    for (const [key, raw] of Object.entries(properties)) {
      if (items.has(key) || (isRecord(present) && Object.hasOwn(present, key) && key !== context.prefix)) continue;
      const property = resolveRef(skillSchema(), { pointer: '', node: raw as SchemaNode }).node;
      const doc = schemaDoc(raw as SchemaNode) ?? schemaDoc(property);
      items.set(key, {
        label: key,
        kind: CompletionItemKind.Property,
        detail: required.includes(key) ? 'required' : undefined,
        ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}),
        insertText: `${key}: `,
        sortText: `${required.includes(key) ? 0 : 1}${key}`,
      } as CompletionItem);
    }
  }
  // `with:` keys: the used skill's inputs or the tool's parameters.
  if (context.path[0] === 'steps' && typeof context.path[1] === 'number' && context.path[2] === 'with' && context.path.length === 3) {
    const skill = isRecord(value) ? value : {};
    const step = Array.isArray(skill.steps) ? skill.steps[context.path[1]] : undefined;
    const schema = isRecord(step) && typeof step.use === 'string' ? project.dependencies(file).get(step.use)?.inputs
      : isRecord(step) && typeof step.tool === 'string' && isRecord(skill.tools) && isRecord(skill.tools[step.tool]) ? (skill.tools[step.tool] as Record<string, unknown>).parameters : undefined;
    const properties = isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
    const required = isRecord(schema) && Array.isArray(schema.required) ? schema.required : [];
    for (const [name, property] of Object.entries(properties)) {
      if (isRecord(present) && Object.hasOwn(present, name)) continue;
      const doc = isRecord(property) && typeof property.description === 'string' ? property.description : undefined;
      items.set(name, { label: name, kind: CompletionItemKind.Field, detail: `${isRecord(property) && typeof property.type === 'string' ? property.type : 'any'}${required.includes(name) ? ' (required)' : ''}`, insertText: `${name}: `, sortText: `${required.includes(name) ? 0 : 1}${name}`, ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}) });
    }
  }
  // `replies:` of a test are keyed by step id.
  if (context.path[0] === 'tests' && context.path[2] === 'replies') for (const id of stepIds(value)) items.set(id, { label: id, kind: CompletionItemKind.Reference, detail: 'step', insertText: `${id}: ` });
  if (context.path.length === 2 && context.path[0] === 'engines' && context.path[1] === 'models') {
    for (const engine of project.engineNames() ?? []) if (!items.has(engine)) items.set(engine, { label: engine, kind: CompletionItemKind.EnumMember, detail: 'engine from sdl.config.yaml', insertText: `${engine}: ` });
  }
  return [...items.values()];
}

function valueItems(project: Project, file: SkillFile, context: Extract<YamlContext, { kind: 'value' }>): CompletionItem[] {
  const value = file.value;
  const skill = isRecord(value) ? value : {};
  const { path: at, key } = context;
  const items: CompletionItem[] = [];
  const add = (label: string, kind: CompletionItemKind, detail?: string, doc?: string) =>
    items.push({ label, kind, ...(detail ? { detail } : {}), ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}) });
  const inStep = at[0] === 'steps' && typeof at[1] === 'number' && at.length === 2;
  if (inStep && key === 'use') for (const alias of Object.keys(isRecord(skill.uses) ? skill.uses : {})) add(alias, CompletionItemKind.Module, 'uses: alias', usesDoc(skill, alias));
  else if ((inStep && key === 'tool') || (inStep && key === 'tools')) for (const tool of Object.keys(isRecord(skill.tools) ? skill.tools : {})) add(tool, CompletionItemKind.Function, 'tool', toolDoc(skill, tool));
  else if ((inStep && key === 'engine') || (at.length === 1 && at[0] === 'engines' && key === 'prefer')) for (const engine of project.engineNames() ?? []) add(engine, CompletionItemKind.EnumMember, 'engine from sdl.config.yaml');
  else if (at.length === 2 && at[0] === 'engines' && at[1] === 'models') for (const model of project.hostModels()) add(model.id, CompletionItemKind.Value, model.provider);
  else if (at.length === 2 && at[0] === 'uses' && key === 'skill') {
    for (const other of project.files()) {
      if (other.path === file.path) continue;
      let rel = path.relative(path.dirname(file.path), other.path).split(path.sep).join('/');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      add(rel, CompletionItemKind.File, typeof (other.result.parsed?.value as { version?: unknown })?.version === 'string' ? `version ${(other.result.parsed?.value as { version: string }).version}` : undefined);
    }
  } else {
    for (const node of schemasAt(value, [...at, key])) {
      const target = context.item !== undefined && isRecord(node.items) ? resolveRef(skillSchema(), { pointer: '', node: node.items as SchemaNode }).node : node;
      const options = Array.isArray(target.enum) ? target.enum : target.const !== undefined ? [target.const] : target.type === 'boolean' ? [true, false] : [];
      for (const option of options) add(String(option), CompletionItemKind.EnumMember, undefined, schemaDoc(target));
      // `output:` is `text`, `outputs` or a schema.
      if (key === 'output' && inStep) for (const word of ['text', 'outputs']) add(word, CompletionItemKind.EnumMember, 'step output');
    }
    if (key === 'engine' || (key === 'prefer' && at[0] === 'engines')) for (const engine of project.engineNames() ?? []) add(engine, CompletionItemKind.EnumMember, 'engine from sdl.config.yaml');
  }
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.label) && seen.add(i.label) !== undefined);
}

function stepIds(value: unknown): string[] {
  const steps = isRecord(value) && Array.isArray(value.steps) ? value.steps : [];
  return steps.flatMap((s) => (isRecord(s) && typeof s.id === 'string' ? [s.id] : []));
}

function usesDoc(skill: Record<string, unknown>, alias: string): string | undefined {
  const entry = isRecord(skill.uses) ? skill.uses[alias] : undefined;
  return isRecord(entry) ? `\`${String(entry.skill)}\`${entry.version ? ` ${String(entry.version)}` : ''}` : undefined;
}

function toolDoc(skill: Record<string, unknown>, tool: string): string | undefined {
  const entry = isRecord(skill.tools) ? skill.tools[tool] : undefined;
  return isRecord(entry) && typeof entry.description === 'string' ? entry.description : undefined;
}
