import type { Diagnostic, Range, Severity } from './diagnostic.js';
import { DEPENDENCY_DIAGNOSTIC_CODES } from '../deps/codes.js';

/** One registered diagnostic code: its default severity and a short title (the heading in spec/diagnostics.md). */
export interface DiagnosticCodeInfo {
  severity: Severity;
  title: string;
}

/**
 * The registry of diagnostic codes. Every code a stage emits is listed here and documented in
 * `spec/diagnostics.md` (a test checks both directions). Stages add their own range (see CONTRIBUTING.md).
 */
export const DIAGNOSTIC_CODES = {
  // SDL1xxx: reading and YAML parsing
  SDL1001: { severity: 'error', title: 'invalid UTF-8' },
  SDL1002: { severity: 'warning', title: 'byte order mark' },
  SDL1003: { severity: 'error', title: 'YAML syntax error' },
  SDL1004: { severity: 'error', title: 'duplicate key' },
  SDL1005: { severity: 'error', title: 'tab used for indentation' },
  SDL1006: { severity: 'error', title: 'alias expansion too large' },
  SDL1007: { severity: 'error', title: 'empty file' },
  SDL1008: { severity: 'error', title: 'more than one YAML document' },
  SDL1009: { severity: 'error', title: 'file too large' },
  SDL1010: { severity: 'error', title: 'key is not a string' },
  SDL1011: { severity: 'warning', title: 'YAML warning' },
  SDL1012: { severity: 'error', title: 'nested too deep' },
  SDL1013: { severity: 'error', title: 'too many diagnostics' },
  // SDL2xxx: schema validation
  SDL2001: { severity: 'error', title: 'unknown key' },
  SDL2002: { severity: 'error', title: 'missing required key' },
  SDL2003: { severity: 'error', title: 'wrong type' },
  SDL2004: { severity: 'error', title: 'value not allowed' },
  SDL2005: { severity: 'error', title: 'unsupported SDL version' },
  SDL2006: { severity: 'error', title: 'number out of range' },
  SDL2007: { severity: 'error', title: 'string does not match the required form' },
  SDL2008: { severity: 'error', title: 'too short or too long' },
  SDL2010: { severity: 'error', title: 'step has no kind (or a value lacks the key that selects its form)' },
  SDL2011: { severity: 'error', title: 'step has more than one kind (or a value has keys of several forms)' },
  SDL2012: { severity: 'error', title: 'duplicate list item' },
  SDL2013: { severity: 'error', title: 'wrong number of entries' },
  SDL2099: { severity: 'error', title: 'schema violation' },
  // SDL3xxx: semantic checks that need no expressions
  SDL3001: { severity: 'error', title: 'duplicate step id' },
  SDL3002: { severity: 'error', title: 'unknown step' },
  SDL3003: { severity: 'error', title: 'unknown `uses` alias' },
  SDL3004: { severity: 'error', title: 'unknown tool' },
  SDL3005: { severity: 'error', title: 'invalid version' },
  SDL3006: { severity: 'error', title: 'invalid skill name' },
  SDL3007: { severity: 'error', title: 'engine not in `engines.prefer`' },
  SDL3008: { severity: 'error', title: 'engine listed twice' },
  SDL3009: { severity: 'error', title: 'retry delays inverted' },
  SDL3010: { severity: 'error', title: 'inconsistent limits' },
  SDL3011: { severity: 'error', title: 'API key in a skill file' },
  SDL3012: { severity: 'error', title: 'secret field in a skill file' },
  SDL3013: { severity: 'error', title: '`output: outputs` without `outputs`' },
  SDL3014: { severity: 'error', title: 'duplicate test name' },
  SDL3015: { severity: 'warning', title: 'tool declared but never used' },
  SDL3016: { severity: 'warning', title: 'dependency declared but never used' },
  SDL3017: { severity: 'error', title: 'loop option without `for_each`' },
  SDL3018: { severity: 'error', title: 'loop variable shadows a name' },
  SDL3019: { severity: 'error', title: 'required property not declared' },
  SDL3020: { severity: 'error', title: 'replies for a step that is not a prompt step' },
  SDL3021: { severity: 'error', title: 'two skills with the same name' },
  SDL3022: { severity: 'error', title: 'default does not match its schema' },
  SDL3023: { severity: 'error', title: 'assertion that can never pass' },
  SDL3040: { severity: 'error', title: 'few-shot turns out of order' },
  SDL3041: { severity: 'error', title: 'too many cache marks' },
  SDL3042: { severity: 'error', title: 'reasoning budget not below `max_tokens`' },
  SDL3043: { severity: 'warning', title: '`temperature` beside `reasoning`' },
  SDL3044: { severity: 'warning', title: 'cache mark on nothing' },
  SDL3045: { severity: 'error', title: 'attachment outside the user turn' },
  SDL3050: { severity: 'warning', title: 'engine not in the host config' },
  SDL3051: { severity: 'warning', title: 'MCP tool schema changed since it was pinned' },
  // SDL41xx (continued): the step graph and `with:` arguments, checked by the expression stage (src/bind)
  SDL4107: { severity: 'error', title: 'unknown step in `steps.<id>`' },
  SDL4108: { severity: 'error', title: 'steps read each other in a cycle' },
  SDL4109: { severity: 'error', title: 'unknown argument' },
  SDL4110: { severity: 'error', title: 'missing required argument' },
  SDL4120: { severity: 'error', title: 'attachment is not a string' },
  SDL4121: { severity: 'error', title: 'attachment reads an input of another media type' },
  // SDL5xxx: dependencies (uses:, semver, lockfile, paths); defined beside the resolver
  ...DEPENDENCY_DIAGNOSTIC_CODES,
  // SDL6xxx: IR loading (reported by the runtime's IR loader, @sdl/runtime load/ir-loader.ts)
  SDL6001: { severity: 'error', title: 'cannot read the IR' },
  SDL6002: { severity: 'error', title: 'unknown IR version' },
  SDL6003: { severity: 'error', title: 'IR does not match its schema' },
  SDL6004: { severity: 'error', title: 'content hash mismatch' },
  SDL6005: { severity: 'error', title: 'broken dependency reference' },
  SDL6006: { severity: 'error', title: 'malformed expression or template' },
  // SDL9xxx: files and I/O seen by the CLI
  SDL9001: { severity: 'error', title: 'cannot read file' },
  SDL9002: { severity: 'error', title: 'no skill files found' },
  SDL9003: { severity: 'error', title: 'cannot write output' },
} as const satisfies Record<string, DiagnosticCodeInfo>;

/** A registered diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Builds a diagnostic with the registered severity of `code` (pass `severity` only to override it). */
export function makeDiagnostic(
  code: DiagnosticCode,
  file: string,
  range: Range,
  message: string,
  hint?: string,
  severity?: Severity,
): Diagnostic {
  const d: Diagnostic = { code, severity: severity ?? DIAGNOSTIC_CODES[code].severity, message, file, range };
  if (hint !== undefined) d.hint = hint;
  return d;
}
