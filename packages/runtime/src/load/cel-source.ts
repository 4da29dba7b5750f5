/**
 * Parsing expressions and templates for skill sources loaded without a build step. This is the
 * only part of the runtime's expression seam that needs the compiler's parser (chevrotain), so it
 * is reached through `@sdl/runtime/source` and the lazily loaded source path, never by the IR path.
 */
import { parseExpression, parseTemplate } from '@sdl/compiler';
import { SdlRuntimeError } from '../run/errors.js';
import { celExpressionFromAst, celTemplateFromAst, type ExpressionLimits } from './cel.js';
import type { CompiledExpression, CompiledTemplate, SourceLocation } from './loaded-skill.js';

function syntaxError(kind: string, text: string, source: SourceLocation, messages: string[]): SdlRuntimeError {
  return new SdlRuntimeError('expression_invalid', `${kind} \`${text}\` does not parse: ${messages.join('; ')}`, { location: source });
}

/** Parses and compiles a CEL expression; throws a located error when it does not parse. */
export function celExpression(text: string, source: SourceLocation, limits?: ExpressionLimits): CompiledExpression {
  const parsed = parseExpression(text);
  if (parsed.ast === undefined || parsed.diagnostics.some((d) => d.severity !== 'warning')) {
    throw syntaxError('expression', text, source, parsed.diagnostics.map((d) => d.message));
  }
  return celExpressionFromAst(text, parsed.ast, source, limits);
}

/** Parses and compiles a template; throws a located error when it does not parse. */
export function celTemplate(text: string, source: SourceLocation, limits?: ExpressionLimits): CompiledTemplate {
  const parsed = parseTemplate(text);
  if (parsed.diagnostics.some((d) => d.severity !== 'warning')) {
    throw syntaxError('template', text, source, parsed.diagnostics.map((d) => d.message));
  }
  return celTemplateFromAst(text, parsed.ast, source, limits);
}
