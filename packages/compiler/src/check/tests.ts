import { didYouMean } from '../util/suggest.js';
import { asArray, type Check, isRecord } from './context.js';
import { type ReplyPathLevel, replySegmentRange, stepsById, walkReplyPath } from './reply-paths.js';

/**
 * Test cases: unique names, and `replies`/`expect` name steps that exist (replies: prompt steps,
 * or dotted paths through `use:` steps to prompt steps of the used skills).
 */
export const checkTests: Check = ({ parsed, skill, report, reportAt }) => {
  const steps = stepsById(skill);
  const frontEndLevel: ReplyPathLevel = { name: typeof skill.name === 'string' ? skill.name : 'this skill', steps, dependency: () => 'unknown' };
  const ids = [...steps.keys()];
  const names = new Map<string, number>();
  asArray(skill.tests).forEach((test, t) => {
    if (!isRecord(test)) return;
    if (typeof test.name === 'string') {
      const first = names.get(test.name);
      if (first !== undefined) report('SDL3014', ['tests', t, 'name'], 'value', `test name ${JSON.stringify(test.name)} is already used by test ${first + 1}`, 'give each test a unique name so failures can be told apart');
      else names.set(test.name, t);
    }
    if (isRecord(test.replies)) {
      // Dotted keys (`triage.classify`) go through `use:` steps: only their first segment is
      // checked here; the project stage (`checkReplyPaths`) resolves the rest.
      for (const key of Object.keys(test.replies)) {
        const problem = walkReplyPath(key, frontEndLevel);
        if (!problem) continue;
        if (key.includes('.')) reportAt(problem.code, replySegmentRange(parsed, t, key, problem.segment), problem.message, problem.hint);
        else report(problem.code, ['tests', t, 'replies', key], 'key', problem.message, problem.hint);
      }
    }
    if (isRecord(test.expect)) {
      for (const [path, assertion] of Object.entries(test.expect)) checkAssertionBounds(assertion, ['tests', t, 'expect', path], report);
      for (const path of Object.keys(test.expect)) {
        const m = /^steps\.([A-Za-z_][A-Za-z0-9_]*)(?:\.|$)/.exec(path);
        if (m && !steps.has(m[1]!)) report('SDL3002', ['tests', t, 'expect', path], 'key', `\`expect\` reads step \`${m[1]}\`, which does not exist`, didYouMean(m[1]!, ids) ?? `steps: ${ids.join(', ')}`);
      }
    }
  });
};

/** `length: { min, max }` with min above max, also under `not:` (whose negation would always pass). */
function checkAssertionBounds(assertion: unknown, at: Array<string | number>, report: Parameters<Check>[0]['report']): void {
  if (!isRecord(assertion)) return;
  if (isRecord(assertion.not)) checkAssertionBounds(assertion.not, [...at, 'not'], report);
  const length = assertion.length;
  if (!isRecord(length) || typeof length.min !== 'number' || typeof length.max !== 'number' || length.min <= length.max) return;
  report('SDL3023', [...at, 'length', 'max'], 'value', `\`length\` allows no value: \`max\` (${length.max}) is below \`min\` (${length.min})`, `make \`max\` at least ${length.min}, or swap the bounds`);
}
