/**
 * The compiler's diagnostics as LSP diagnostics, with related locations the data already holds:
 * the other end of a dependency cycle, and the used skill's (or tool's) input declaration for a
 * `with:` argument it does not declare or lacks.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { locatePath, rangeOfPath, type Diagnostic, type SourceFile } from '@sdl/compiler';
import { DiagnosticSeverity, type DiagnosticRelatedInformation, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { fromSdlRange, positionOf } from './positions.js';
import type { Project, SkillFile } from './project.js';
import { isRecord } from './util.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** One compiler diagnostic of `file` (whose text is `source`) for the editor. */
export function toLspDiagnostic(project: Project, file: SkillFile | undefined, source: SourceFile, d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: fromSdlRange(source, d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'sdl',
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
  };
  const related = file ? relatedOf(project, file, source, d) : [];
  if (related.length > 0) out.relatedInformation = related;
  return out;
}

function relatedOf(project: Project, file: SkillFile, source: SourceFile, d: Diagnostic): DiagnosticRelatedInformation[] {
  const parsed = file.result.parsed;
  if (!parsed) return [];
  const offset = source.offsetAt(d.range.start);
  if (d.code === 'SDL5008') {
    // The cycle's other end: where the skill this alias points at uses its way back.
    const dep = file.resolved?.dependencies.find((x) => source.offsetAt(x.aliasRange.start) === offset);
    const target = dep ? project.skill(dep.target) : undefined;
    const back = target?.resolved?.dependencies.find((x) => reaches(project, x.target, file.resolved!.id, new Set()));
    if (target?.result.source && back) return [{ location: { uri: uriOf(target.path), range: fromSdlRange(target.result.source, back.aliasRange) }, message: `\`${back.alias}\` in ${path.basename(target.path)} leads back here` }];
    return [];
  }
  if (d.code === 'SDL4109' || d.code === 'SDL4110') {
    const value = parsed.value;
    const steps = isRecord(value) && Array.isArray(value.steps) ? value.steps : [];
    const index = steps.findIndex((_, i) => {
      const found = locatePath(parsed.document, ['steps', i]).node;
      return found?.range && offset >= found.range[0] && offset <= found.range[1];
    });
    const step = steps[index];
    if (!isRecord(step)) return [];
    if (typeof step.use === 'string') {
      const dep = file.resolved?.dependencies.find((x) => x.alias === step.use);
      const target = dep ? project.skill(dep.target) : undefined;
      if (!target?.result.parsed || !target.result.source) return [];
      const range = rangeOfPath(target.result.parsed, ['inputs'], 'key');
      return [{ location: { uri: uriOf(target.path), range: fromSdlRange(target.result.source, range) }, message: `the inputs of \`${step.use}\` are declared here` }];
    }
    if (typeof step.tool === 'string') {
      const range = rangeOfPath(parsed, ['tools', step.tool, 'parameters'], 'key');
      return [{ location: { uri: uriOf(file.path), range: fromSdlRange(source, range) }, message: `the parameters of tool \`${step.tool}\` are declared here` }];
    }
  }
  return [];
}

function reaches(project: Project, from: string, to: string, seen: Set<string>): boolean {
  if (from === to) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (project.skill(from)?.resolved?.dependencies ?? []).some((d) => reaches(project, d.target, to, seen));
}

/** The file URI of an absolute path. */
export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

export { positionOf };
