/** One problem in a string's `${env:...}` references; offsets are within the string. */
export interface InterpolationProblem {
  kind: 'unset' | 'malformed';
  /** The variable name (for `unset`) — never its value. */
  name?: string;
  start: number;
  end: number;
}

/** The result of {@link interpolate}: the string with its `${env:...}` references replaced, and what went wrong. */
export interface Interpolated {
  value: string;
  /** True when any part came from the environment (the value may be secret). */
  fromEnv: boolean;
  problems: InterpolationProblem[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replaces `${env:NAME}` with the variable's value and `${env:NAME:-default}` with the value, or the
 * default when the variable is unset or empty (as in POSIX shells). `$${` stands for a literal `${`.
 * An unset variable without default, or any other `${...}`, is reported, never guessed.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): Interpolated {
  const problems: InterpolationProblem[] = [];
  let fromEnv = false;
  const value = text.replace(REFERENCE, (match, body: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    const ref = ENV_REF.exec(body ?? '');
    if (!ref) {
      problems.push({ kind: 'malformed', start: offset, end: offset + match.length });
      return '';
    }
    const name = ref[1]!;
    const current = env[name];
    if (ref[2] !== undefined) {
      if (current !== undefined && current !== '') {
        fromEnv = true;
        return current;
      }
      return ref[2];
    }
    if (current === undefined) {
      problems.push({ kind: 'unset', name, start: offset, end: offset + match.length });
      return '';
    }
    fromEnv = true;
    return current;
  });
  // An opening `${` with no closing brace is a typo, not text.
  const unterminated = /(?<!\$)\$\{[^}]*$/.exec(text);
  if (unterminated) problems.push({ kind: 'malformed', start: unterminated.index, end: text.length });
  return { value, fromEnv, problems };
}
