/**
 * Hover: the type of the expression or sub-expression under the cursor (the compiler's checker
 * reports each node's type), a key's documentation from the schema, and for a `use:` / `uses:`
 * entry the used skill's name, version and description.
 */
import { isScalar } from 'yaml';
import { checkExpression, checkTemplate, FUNCTION_SIGNATURES, formatType, resolveRef, skillSchema, type ExprNode, type ExprType, type SchemaNode, type TemplateAst } from '@sdl/compiler';
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { schemaDoc, schemasAt, fieldDoc } from './completion.js';
import { fileSpan, locate, scopeOf, sourceAt } from './document.js';
import { rangeOf } from './positions.js';
import type { Project, SkillFile } from './project.js';
import { dependencyFile, scalarSpan } from './symbols.js';
import { isRecord } from './util.js';

/** The hover at `offset` of `file`, or null. */
export function hover(project: Project, file: SkillFile, offset: number): Hover | null {
  const parsed = file.result.parsed;
  const source = file.result.source;
  if (!parsed?.ok || !source) return null;
  const at = sourceAt(parsed, offset);
  if (at) {
    if (!at.compiled.ast) return null;
    const vo = at.valueOffset;
    let best: { node: ExprNode; type: ExprType } | undefined;
    const onType = (node: ExprNode, type: ExprType) => {
      const end = node.kind === 'select' ? node.fieldStart + node.field.length : node.end;
      if (vo < node.start || vo > end) return;
      if (!best || end - node.start <= (best.node.kind === 'select' ? best.node.fieldStart + best.node.field.length : best.node.end) - best.node.start) best = { node, type };
    };
    const scope = scopeOf(parsed, at.pointer, project.dependencies(file));
    if (at.compiled.kind === 'template') checkTemplate(at.compiled.ast as TemplateAst, scope, { onType });
    else checkExpression(at.compiled.ast as ExprNode, scope, { onType });
    if (!best) return null;
    const { node, type } = best as { node: ExprNode; type: ExprType };
    const text = at.compiled.src.slice(node.start, node.end);
    const parts = [`\`\`\`\n${text}: ${formatType(type)}\n\`\`\``];
    const skill = isRecord(parsed.value) ? parsed.value : {};
    const doc = fieldDoc(skill, text.replace(/\s+/g, ''));
    if (doc) parts.push(doc);
    if (node.kind === 'call' || node.kind === 'comprehension' || node.kind === 'has') {
      const name = node.kind === 'call' ? node.fn : node.kind === 'has' ? 'has' : node.macro;
      const style = node.kind === 'call' ? (node.target ? 'member' : 'global') : 'macro';
      const sig = FUNCTION_SIGNATURES.find((s) => s.name === name && s.style === style);
      if (sig) parts.push(`${sig.forms.map((f) => `\`${f}\``).join(' · ')}\n\n${sig.doc}`);
    }
    const [start, end] = fileSpan(at.compiled, node.start, node.end);
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') }, range: rangeOf(source, start, end) };
  }
  const where = locate(parsed, offset);
  const span = scalarSpan(where.node);
  if (!span) return null;
  const range = rangeOf(source, span[0], span[1]);
  const p = where.path;
  // A dependency: `uses:` alias, its `skill:` path, or a step's `use:`.
  const alias = p[0] === 'uses' && (p.length === 2 || p[2] === 'skill') ? String(p[1]) : p[0] === 'steps' && p[2] === 'use' && !where.inKey && isScalar(where.node) ? String(where.node.value) : undefined;
  if (alias !== undefined && (p[0] !== 'uses' || where.inKey || p[2] === 'skill')) {
    const target = dependencyFile(project, file, alias);
    const value = target ? project.file(target)?.result.parsed?.value : undefined;
    if (isRecord(value)) {
      const entry = isRecord(parsed.value) && isRecord(parsed.value.uses) ? parsed.value.uses[alias] : undefined;
      const wanted = isRecord(entry) && typeof entry.version === 'string' ? ` (wanted ${entry.version})` : '';
      return { contents: { kind: MarkupKind.Markdown, value: `**${String(value.name)}** ${String(value.version)}${wanted}\n\n${String(value.description ?? '')}` }, range };
    }
  }
  // A `with:` argument: the used skill's input or the tool's parameter it fills.
  if (where.inKey && p[0] === 'steps' && p[2] === 'with' && p.length === 4 && isRecord(parsed.value)) {
    const step = Array.isArray(parsed.value.steps) ? parsed.value.steps[p[1] as number] : undefined;
    const tools = isRecord(parsed.value.tools) ? parsed.value.tools : {};
    const schema = isRecord(step) && typeof step.use === 'string' ? project.dependencies(file).get(step.use)?.inputs
      : isRecord(step) && typeof step.tool === 'string' && isRecord(tools[step.tool]) ? (tools[step.tool] as Record<string, unknown>).parameters : undefined;
    const property = isRecord(schema) && isRecord(schema.properties) ? schema.properties[String(p[3])] : undefined;
    if (isRecord(property)) {
      const owner = isRecord(step) && typeof step.use === 'string' ? `input of \`${step.use}\`` : `parameter of tool \`${String((step as Record<string, unknown>).tool)}\``;
      const type = typeof property.type === 'string' ? property.type : 'any';
      return { contents: { kind: MarkupKind.Markdown, value: `**${String(p[3])}**: ${type} — ${owner}${typeof property.description === 'string' ? `\n\n${property.description}` : ''}` }, range };
    }
  }
  if (where.inKey) {
    const key = p[p.length - 1]!;
    for (const node of schemasAt(parsed.value, p.slice(0, -1))) {
      const property = isRecord(node.properties) ? (node.properties[key] as SchemaNode | undefined) : undefined;
      if (!property) continue;
      const doc = schemaDoc(property) ?? schemaDoc(resolveRef(skillSchema(), { pointer: '', node: property }).node);
      if (doc) return { contents: { kind: MarkupKind.Markdown, value: `**${String(key)}**\n\n${doc}` }, range };
    }
  }
  if (p[0] === 'steps' && p[2] === 'tool' && !where.inKey && isScalar(where.node)) {
    const tool = isRecord(parsed.value) && isRecord(parsed.value.tools) ? parsed.value.tools[String(where.node.value)] : undefined;
    if (isRecord(tool)) return { contents: { kind: MarkupKind.Markdown, value: `**tool ${String(where.node.value)}**\n\n${String(tool.description ?? '')}` }, range };
  }
  return null;
}
