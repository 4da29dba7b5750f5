/**
 * `replies:` keys of a skill's tests may be dotted step paths through `use:` steps
 * (`triage.classify`: the prompt step `classify` of the skill the `use:` step `triage` runs).
 * The front end checks the first segment (it sees one file); the project stage, which has the
 * resolved dependencies, checks the rest with {@link checkReplyPaths}.
 */
import { isScalar } from 'yaml';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Diagnostic, Range } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../util/suggest.js';
import type { ParsedSkill } from '../yaml/parse.js';
import { locatePath, rangeOfPath } from '../yaml/ranges.js';
import { asArray, createCheckContext, isRecord, stepsOf } from './context.js';

/** One skill as a replies key walks through it. */
export interface ReplyPathLevel {
  /** The skill's `name`, for messages. */
  name: string;
  /** Its steps by id (first definition wins). */
  steps: ReadonlyMap<string, Record<string, unknown>>;
  /**
   * The skill a `uses:` alias of this skill resolved to; `undefined` when it did not resolve
   * (reported elsewhere), `'unknown'` when this stage cannot tell (the single-file front end).
   */
  dependency(alias: string): ReplyPathLevel | undefined | 'unknown';
}

/** What is wrong with a replies key: at which segment, and the diagnostic to report there. */
export interface ReplyPathProblem {
  segment: number;
  code: DiagnosticCode;
  message: string;
  hint: string;
}

/** The steps of a parsed skill by id, first definition wins (later duplicates are SDL3001). */
export function stepsById(skill: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const steps = new Map<string, Record<string, unknown>>();
  for (const { step } of stepsOf(skill)) if (typeof step.id === 'string' && !steps.has(step.id)) steps.set(step.id, step);
  return steps;
}

/**
 * Walks a `replies:` key from `root`: every segment but the last must be a `use:` step, the last
 * a prompt step. Stops quietly where a dependency is unresolved or unknown to this stage.
 */
export function walkReplyPath(key: string, root: ReplyPathLevel): ReplyPathProblem | undefined {
  const segments = key.split('.');
  const dotted = segments.length > 1;
  const empty = segments.indexOf('');
  if (empty >= 0) {
    return { segment: empty, code: 'SDL3002', message: `\`replies\` key \`${key}\` has an empty step id`, hint: 'separate step ids with single dots, e.g. `triage.classify`' };
  }
  let level = root;
  for (let i = 0; i < segments.length; i++) {
    const id = segments[i]!;
    const last = i === segments.length - 1;
    const ids = [...level.steps.keys()];
    const where = i === 0 ? '' : ` of skill \`${level.name}\` (run by \`${segments.slice(0, i).join('.')}\`)`;
    const step = level.steps.get(id);
    if (!step) {
      const message = dotted ? `\`replies\` key \`${key}\` names step \`${id}\`${where}, which does not exist` : `\`replies\` names step \`${id}\`, which does not exist`;
      return { segment: i, code: 'SDL3002', message, hint: didYouMean(id, ids) ?? `steps${where}: ${ids.join(', ')}` };
    }
    if (last) {
      if (step.prompt === undefined) {
        const path = dotted ? key : id;
        return {
          segment: i,
          code: 'SDL3020',
          message: `step \`${path}\` does not prompt a model, so it takes no scripted reply`,
          hint: typeof step.use === 'string'
            ? `script the prompt steps inside it with a dotted key, e.g. \`${[...segments, '<step id>'].join('.')}\``
            : 'script replies only for prompt steps; tool steps call the host and use steps run their own skill',
        };
      }
      return undefined;
    }
    if (typeof step.use !== 'string') {
      const uses = ids.filter((s) => typeof level.steps.get(s)!.use === 'string');
      return {
        segment: i,
        code: 'SDL3020',
        message: `step \`${segments.slice(0, i + 1).join('.')}\` is not a \`use:\` step, so \`replies\` key \`${key}\` names no step inside it`,
        hint: uses.length > 0 ? `a dotted key goes through \`use:\` steps (${uses.join(', ')}) to a prompt step of the used skill` : 'a dotted key goes through a `use:` step to a prompt step of the used skill',
      };
    }
    const next = level.dependency(step.use);
    if (next === undefined || next === 'unknown') return undefined;
    level = next;
  }
  return undefined;
}

/**
 * The range of segment `segment` of the replies key `key` of test `test`: the segment itself when
 * the key is written plainly or quoted without escapes, else the whole key.
 */
export function replySegmentRange(parsed: ParsedSkill, test: number, key: string, segment: number): Range {
  const path = ['tests', test, 'replies', key];
  const whole = rangeOfPath(parsed, path, 'key');
  const keyNode = locatePath(parsed, path).pair?.key;
  if (!isScalar(keyNode) || !keyNode.range) return whole;
  const [from, to] = keyNode.range;
  const raw = parsed.source.text.slice(from, to);
  const start = raw === key ? from : raw.length === key.length + 2 && raw.slice(1, -1) === key ? from + 1 : undefined;
  if (start === undefined || key.split('.')[segment] === '') return whole;
  const segments = key.split('.');
  const offset = segments.slice(0, segment).reduce((n, s) => n + s.length + 1, 0);
  return parsed.source.rangeAt(start + offset, start + offset + segments[segment]!.length);
}

/** Calls `visit` for every key of every test's `replies:` mapping. */
function forEachReplyKey(skill: Record<string, unknown>, visit: (test: number, key: string) => void): void {
  asArray(skill.tests).forEach((test, t) => {
    if (isRecord(test) && isRecord(test.replies)) for (const key of Object.keys(test.replies)) visit(t, key);
  });
}

/** How the project stage sees the resolved project: a skill's parsed file, and where its aliases lead. */
export interface ReplyPathProject {
  /** The parsed file of a skill (by project skill id); undefined when it did not parse. */
  parsedOf(id: string): ParsedSkill | undefined;
  /** The skill id a `uses:` alias of skill `id` resolved to. */
  dependencyOf(id: string, alias: string): string | undefined;
}

/**
 * The project stage of the replies check: the segments of dotted `replies:` keys after the first
 * (the front end checked the first), resolved through the dependencies. SDL3002 for an unknown
 * step with a did-you-mean over that skill's steps, SDL3020 for a step of the wrong kind.
 */
export function checkReplyPaths(project: ReplyPathProject, ids: Iterable<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const levels = new Map<string, ReplyPathLevel | undefined>();
  const levelOf = (id: string): ReplyPathLevel | undefined => {
    if (levels.has(id)) return levels.get(id);
    const parsed = project.parsedOf(id);
    const value = parsed?.ok && isRecord(parsed.value) ? parsed.value : undefined;
    const level: ReplyPathLevel | undefined = value && {
      name: typeof value.name === 'string' ? value.name : id,
      steps: stepsById(value),
      dependency: (alias) => {
        const target = project.dependencyOf(id, alias);
        return target === undefined ? undefined : levelOf(target);
      },
    };
    levels.set(id, level);
    return level;
  };
  for (const id of ids) {
    const parsed = project.parsedOf(id);
    if (!parsed?.ok || !isRecord(parsed.value)) continue;
    // Most skills have no dotted key: their step tables are built only when one is met.
    let context: ReturnType<typeof createCheckContext> | undefined;
    forEachReplyKey(parsed.value, (test, key) => {
      // Plain keys and empty segments are the front end's (it sees them without dependencies).
      if (!key.includes('.') || key.split('.').includes('')) return;
      const root = levelOf(id);
      if (!root) return;
      context ??= createCheckContext(parsed, out);
      const problem = walkReplyPath(key, root);
      if (problem && problem.segment > 0) context.reportAt(problem.code, replySegmentRange(parsed, test, key, problem.segment), problem.message, problem.hint);
    });
  }
  return out;
}
