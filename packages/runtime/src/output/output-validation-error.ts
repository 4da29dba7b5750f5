import type { SourceLocation } from '../load/loaded-skill.js';
import { SdlRuntimeError, type ValueProblem } from '../run/errors.js';

/** How much of the reply an error message quotes (the full reply stays on `reply`). */
const QUOTED_REPLY_CHARS = 500;

/**
 * A prompt step's reply was still not valid JSON for its schema after every repair round trip.
 * `problems` are those of the last reply; `replies` holds every reply, the first one first.
 */
export class OutputValidationError extends SdlRuntimeError {
  readonly stepId: string;
  readonly problems: ValueProblem[];
  readonly reply: string;
  readonly replies: string[];

  constructor(stepId: string, location: SourceLocation, problems: ValueProblem[], replies: string[]) {
    const reply = replies[replies.length - 1] ?? '';
    const quoted = reply.length > QUOTED_REPLY_CHARS ? `${reply.slice(0, QUOTED_REPLY_CHARS)}…` : reply;
    super(
      'output_invalid',
      `step \`${stepId}\`: the model's reply does not match the output schema ` +
        `(after ${replies.length - 1} repair attempt${replies.length === 2 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.path === '' ? '(reply)' : p.path}: ${p.message}`).join('\n') +
        `\nreply was:\n${quoted}`,
      { location },
    );
    this.stepId = stepId;
    this.problems = problems;
    this.reply = reply;
    this.replies = replies;
  }
}
