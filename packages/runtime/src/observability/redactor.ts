/**
 * Finds personal data and secrets in text and replaces them with typed placeholders such as
 * `[REDACTED:email]`. Every built-in pattern runs in linear time on V8's backtracking engine:
 * no nested quantifiers, bounded repetition where a match can fail late, and unbounded runs only
 * where the next character cannot be part of the run (so nothing is re-scanned).
 */

export type BuiltinRedaction = 'credit_card' | 'ssn' | 'email' | 'phone' | 'api_key';

/** Every built-in redaction kind, in the order they are applied; the default of {@link RedactorOptions.kinds}. */
export const BUILTIN_REDACTIONS: readonly BuiltinRedaction[] = ['api_key', 'email', 'credit_card', 'ssn', 'phone'];

interface Rule {
  name: string;
  pattern: RegExp;
  /** Extra check on a candidate (e.g. Luhn); a rejected candidate is left as is. */
  accept?: (match: string) => boolean;
}

/** The Luhn checksum used by payment card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function hasDigitAndLetter(s: string): boolean {
  return /\d/.test(s) && /[A-Za-z]/.test(s);
}

const BUILTIN_RULES: Record<BuiltinRedaction, Rule[]> = {
  api_key: [
    { name: 'api_key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
    { name: 'api_key', pattern: /\bsk-[A-Za-z0-9_-]{16,}/g },
    { name: 'api_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
    { name: 'api_key', pattern: /\b[Bb]earer[ \t]{1,8}[A-Za-z0-9._~+/-]{12,}=*/g },
    { name: 'api_key', pattern: /\b[0-9a-fA-F]{32,}\b/g, accept: hasDigitAndLetter },
    { name: 'api_key', pattern: /[A-Za-z0-9+/_-]{40,}={0,2}/g, accept: hasDigitAndLetter },
  ],
  // The lookbehind lets a match start only where a run of local-part characters starts, so a
  // long run without an `@` is scanned once, not once per position (64x less work on 100 KB).
  email: [
    {
      name: 'email',
      pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6}/g,
    },
  ],
  credit_card: [
    {
      name: 'credit_card',
      pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
      accept: (m) => luhnValid(m.replace(/[ -]/g, '')),
    },
  ],
  ssn: [
    {
      name: 'ssn',
      pattern: /\b\d{3}-\d{2}-\d{4}\b/g,
      accept: (m) => !m.startsWith('000') && !m.startsWith('666') && !m.startsWith('9') && !m.includes('-00-') && !m.endsWith('0000'),
    },
  ],
  phone: [
    { name: 'phone', pattern: /(?<![\w+])\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}\b/g },
    { name: 'phone', pattern: /(?<![\w+])(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4}\b/g },
  ],
};

/** Thrown when a custom pattern could backtrack catastrophically or does not compile. */
export class UnsafePatternError extends Error {
  override readonly name = 'UnsafePatternError';
}

/**
 * Rejects custom patterns that can take super-linear time: backreferences, lookaround and
 * quantified groups that themselves contain a quantifier or an alternation (star height > 1),
 * the constructs behind ReDoS. Conservative by design, like `safe-regex`.
 */
export function assertSafePattern(name: string, source: string): RegExp {
  if (source.length > 500) throw new UnsafePatternError(`redaction pattern "${name}" is longer than 500 characters`);
  if (/\\[1-9]|\\k</.test(source)) throw new UnsafePatternError(`redaction pattern "${name}" uses a backreference; remove it`);
  if (/\(\?<?[=!]/.test(source)) throw new UnsafePatternError(`redaction pattern "${name}" uses lookaround; remove it`);
  // Walk groups: a group containing a quantifier or `|`, followed by a quantifier, is nested repetition.
  const stack: { risky: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ risky: false });
    else if (c === ')') {
      const group = stack.pop();
      const next = source[i + 1];
      const quantified = next === '*' || next === '+' || next === '?' || next === '{';
      if (group?.risky && quantified && next !== '?') {
        throw new UnsafePatternError(
          `redaction pattern "${name}" repeats a group that itself repeats or alternates (catastrophic backtracking); flatten it`,
        );
      }
      if (group?.risky && stack.length) stack[stack.length - 1]!.risky = true;
    } else if (c === '*' || c === '+' || c === '{' || c === '|') {
      if (stack.length) stack[stack.length - 1]!.risky = true;
    }
  }
  try {
    return new RegExp(source, 'g');
  } catch (error) {
    throw new UnsafePatternError(`redaction pattern "${name}" is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Options of {@link Redactor}: which built-in kinds to apply and the skill's own patterns. */
export interface RedactorOptions {
  /** Built-in kinds to apply; default all. */
  kinds?: readonly string[];
  /** Extra rules from the skill's `policies.redact`; a pattern with backreferences, lookaround or over 500 characters is refused. */
  custom?: readonly { name: string; pattern: string }[];
}

/** Applies a fixed set of redaction rules to text and to nested data. */
export class Redactor {
  private readonly rules: Rule[];

  constructor(options: RedactorOptions = {}) {
    const kinds = options.kinds ?? BUILTIN_REDACTIONS;
    this.rules = [];
    for (const c of options.custom ?? []) this.rules.push({ name: c.name, pattern: assertSafePattern(c.name, c.pattern) });
    for (const kind of BUILTIN_REDACTIONS) {
      if (kinds.includes(kind)) this.rules.push(...BUILTIN_RULES[kind]);
    }
    for (const kind of kinds) {
      if (!(BUILTIN_REDACTIONS as readonly string[]).includes(kind)) {
        throw new UnsafePatternError(`unknown redaction "${kind}"; expected one of ${BUILTIN_REDACTIONS.join(', ')}`);
      }
    }
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Replaces every match with `[REDACTED:<name>]`. */
  redact(text: string): string {
    let out = text;
    for (const rule of this.rules) {
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, (match) => (!rule.accept || rule.accept(match) ? `[REDACTED:${rule.name}]` : match));
    }
    return out;
  }

  /** Redacts every string inside plain data (arrays and objects), returning a copy. */
  redactDeep<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (depth > 32 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.redactDeep(v, depth + 1);
    return out as T;
  }
}
