import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { capDiagnostics } from '../diagnostics/cap.js';
import { makeDiagnostic } from '../diagnostics/codes.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { checkExpressions } from '../bind/stage.js';
import { checkSkill } from '../check/check.js';
import { normalizeSkill } from '../schema/normalize.js';
import { validateSkill } from '../schema/validate.js';
import { SourceFile } from '../source/source-file.js';
import { parseSkill, type ParsedSkill } from '../yaml/parse.js';
import { decodeSkillBytes } from '../yaml/read.js';

/** File names the compiler picks up when given a directory. */
export const SKILL_FILE_SUFFIX = '.skill.yaml';

/** The front end's result for one file. */
export interface FileResult {
  /** The path shown to users (relative to the working directory when inside it). */
  file: string;
  /** Absolute path on disk (empty for in-memory sources). */
  path: string;
  source?: SourceFile;
  parsed?: ParsedSkill;
  /** The validated skill with schema defaults filled in; present only when the file has no errors. */
  skill?: Record<string, unknown>;
  /** This file's diagnostics, sorted by position. */
  diagnostics: Diagnostic[];
}

/** A stage after parsing: reads the parsed file, returns its diagnostics (must not throw on bad input). */
export type FrontEndStage = (parsed: ParsedSkill) => Diagnostic[];

/** The stages run on every parsed file, in order: schema validation, the semantic checks, then expressions and the step graph. */
export const DEFAULT_STAGES: readonly FrontEndStage[] = [validateSkill, checkSkill, checkExpressions];

/** Options of the front-end driver. */
export interface FrontEndOptions {
  /** Stages to run after parsing (default `DEFAULT_STAGES`); later work such as expression checking appends its own. */
  stages?: readonly FrontEndStage[];
}

/**
 * Runs the front-end stages on one decoded source: parse → schema validation → semantic checks
 * (→ any extra stages). Later stages (dependencies, IR) consume `parsed` and `skill`.
 */
export function checkSource(source: SourceFile, readDiagnostics: Diagnostic[] = [], options: FrontEndOptions = {}): FileResult {
  const parsed = parseSkill(source);
  const diagnostics = [...readDiagnostics, ...parsed.diagnostics];
  for (const stage of options.stages ?? DEFAULT_STAGES) for (const d of stage(parsed)) diagnostics.push(d);
  const capped = capDiagnostics(sortDiagnostics(diagnostics), source.path);
  const result: FileResult = { file: source.path, path: '', source, parsed, diagnostics: capped };
  if (parsed.ok && !hasErrors(diagnostics)) result.skill = normalizeSkill(parsed.value) as Record<string, unknown>;
  return result;
}

/** Checks skill text held in memory (editors, tests); `file` is the name diagnostics carry. */
export function checkText(text: string, file = 'skill.skill.yaml', options: FrontEndOptions = {}): FileResult {
  return checkSource(new SourceFile(file, text), [], options);
}

/** Checks raw bytes: decoding problems (invalid UTF-8, BOM, size) are diagnostics too. */
export function checkBytes(bytes: Uint8Array, file: string, options: FrontEndOptions = {}): FileResult {
  const read = decodeSkillBytes(bytes, file);
  if (!read.source) return { file, path: '', diagnostics: read.diagnostics };
  return checkSource(read.source, read.diagnostics, options);
}

/** What `checkFiles` returns: per-file results (sorted by path) and all diagnostics, sorted. */
export interface CheckFilesResult {
  files: FileResult[];
  diagnostics: Diagnostic[];
}

function display(cwd: string, absolute: string): string {
  const rel = relative(cwd, absolute);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel.split(sep).join('/');
}

const AT_START = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/** Every `*.skill.yaml` below `dir`, skipping `node_modules`, hidden directories and symlinked directories. */
async function findSkillFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      found.push(...(await findSkillFiles(full)));
    } else if (entry.isFile() && entry.name.endsWith(SKILL_FILE_SUFFIX)) found.push(full);
  }
  return found;
}

/**
 * The driver used by `skillc check` and `skillc compile`: expands directories (recursively, for
 * `*.skill.yaml`), reads and checks every file. Unreadable paths are SDL9xxx diagnostics, not throws.
 */
export async function checkFiles(paths: readonly string[], options: { cwd: string } & FrontEndOptions): Promise<CheckFilesResult> {
  const { cwd } = options;
  const files: FileResult[] = [];
  const ioDiagnostics: Diagnostic[] = [];
  const targets = new Set<string>();
  for (const given of paths) {
    const absolute = resolve(cwd, given);
    try {
      const info = await stat(absolute);
      if (info.isDirectory()) {
        const found = await findSkillFiles(absolute);
        if (found.length === 0) ioDiagnostics.push(makeDiagnostic('SDL9002', display(cwd, absolute), AT_START, `no \`*${SKILL_FILE_SUFFIX}\` files found in directory \`${given}\``, 'skill files must be named `<name>.skill.yaml`'));
        for (const f of found) targets.add(f);
      } else targets.add(absolute);
    } catch (error) {
      ioDiagnostics.push(ioDiagnostic(display(cwd, absolute), error));
    }
  }
  for (const absolute of [...targets].sort()) {
    const file = display(cwd, absolute);
    try {
      const result = checkBytes(await readFile(absolute), file, options);
      result.path = absolute;
      files.push(result);
    } catch (error) {
      ioDiagnostics.push(ioDiagnostic(file, error));
    }
  }
  const diagnostics = sortDiagnostics([...ioDiagnostics, ...files.flatMap((f) => f.diagnostics)]);
  return { files, diagnostics };
}

function ioDiagnostic(file: string, error: unknown): Diagnostic {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : ((error as Error).message ?? String(error));
  return makeDiagnostic('SDL9001', file, AT_START, `cannot read \`${file}\`: ${reason}`, code === 'ENOENT' ? 'check the path; directories are searched for `*.skill.yaml`' : undefined);
}
