import type { Diagnostic } from '@sdl/compiler/core';
import { SdlRuntimeError } from '../run/errors.js';
import type { ExpressionLimits } from './cel.js';

/** The skill file has errors; `diagnostics` are the compiler's, each with file:line:col. */
export class SkillCompileError extends SdlRuntimeError {
  readonly diagnostics: Diagnostic[];
  constructor(file: string, diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(
      'skill_invalid',
      `${file} has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n` +
        errors
          .map((d) => `  ${d.file}:${d.range.start.line}:${d.range.start.column}: ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ''}`)
          .join('\n'),
    );
    this.diagnostics = diagnostics;
  }
}

/** Options of {@link loadSkillSource}. */
export interface SourceLoadOptions {
  /** Dependent skills must stay inside this directory (default: the project root of the file). */
  projectRoot?: string;
  /** Bounds on expression and template evaluation for the loaded skill. */
  limits?: ExpressionLimits;
}
