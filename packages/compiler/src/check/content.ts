import { asArray, type Check, isRecord, stepsOf } from './context.js';

/** Anthropic takes at most this many cache breakpoints in a request; a portable skill marks no more. */
const MAX_CACHE_MARKS = 4;

const hasAttachmentKey = (v: unknown): boolean => isRecord(v) && ('image' in v || 'document' in v);

/**
 * Prompt content that needs no expressions: few-shot turns in order (SDL3040), at most 4 cache marks
 * per step (SDL3041), a reasoning budget below `max_tokens` (SDL3042), no temperature beside reasoning
 * (SDL3043), cache marks that mark something (SDL3044), and attachments only in the user turn (SDL3045).
 */
export const checkContent: Check = ({ skill, report }) => {
  const engines = isRecord(skill.engines) ? skill.engines : {};
  const skillParams = isRecord(engines.params) ? engines.params : {};
  for (const { step, index } of stepsOf(skill)) {
    if (!isRecord(step.prompt)) continue;
    const at = ['steps', index];
    const prompt = step.prompt;

    for (const [key, value] of [['system', prompt.system]] as const) {
      if (hasAttachmentKey(value) || asArray(value).some(hasAttachmentKey)) {
        report('SDL3045', [...at, 'prompt', key], 'value', `the ${key} prompt takes text only; images and documents go in the user turn`, 'move it to `prompt.attach: [{ document: ... }]` (or `image:`), and keep `system:` a template');
      }
    }

    const turns = asArray(prompt.messages);
    turns.forEach((turn, i) => {
      if (!isRecord(turn)) return;
      if (hasAttachmentKey(turn.content) || asArray(turn.content).some(hasAttachmentKey) || hasAttachmentKey(turn)) {
        report('SDL3045', [...at, 'prompt', 'messages', i], 'value', 'few-shot turns take text only; images and documents go in the user turn', 'move it to `prompt.attach:`');
        return;
      }
      const expected = i % 2 === 0 ? 'user' : 'assistant';
      if ((turn.role === 'user' || turn.role === 'assistant') && turn.role !== expected) {
        report('SDL3040', [...at, 'prompt', 'messages', i, 'role'], 'value', `example turn ${i + 1} is ${turn.role === 'user' ? 'a' : 'an'} \`${turn.role}\` turn; turns alternate, starting with \`user\``, `make it \`role: ${expected}\`, or reorder the examples`);
      }
    });
    const last = turns[turns.length - 1];
    if (turns.length > 0 && turns.length % 2 === 1 && isRecord(last) && last.role === 'user') {
      report('SDL3040', [...at, 'prompt', 'messages', turns.length - 1], 'value', 'the examples end with a `user` turn, but the step\'s own `user` message comes next', 'end the examples with the `assistant` answer to the last example');
    }

    const cache = [...new Set(asArray(prompt.cache).filter((c): c is string => typeof c === 'string'))];
    const tools = asArray(step.tools);
    if (cache.includes('tools') && tools.length === 0) {
      report('SDL3044', [...at, 'prompt', 'cache', cache.indexOf('tools')], 'value', '`cache: [tools]` but the step offers no tools', 'remove `tools` from `cache:`, or give the step `tools:`');
    }
    if (cache.includes('system') && prompt.system === undefined) {
      report('SDL3044', [...at, 'prompt', 'cache', cache.indexOf('system')], 'value', '`cache: [system]` but the step has no system prompt', 'remove `system` from `cache:`, or give the prompt a `system:`');
    }
    const marked = asArray(prompt.attach).flatMap((a, i) => (isRecord(a) && a.cache === true ? [i] : []));
    const marks = cache.length + marked.length;
    if (marks > MAX_CACHE_MARKS) {
      const path = marked.length > 0 ? [...at, 'prompt', 'attach', marked[marked.length - 1]!, 'cache'] : [...at, 'prompt', 'cache'];
      report('SDL3041', path, 'value', `the step marks ${marks} cache breakpoints; at most ${MAX_CACHE_MARKS} are allowed`, 'mark fewer prefixes: a breakpoint caches everything before it, so the last long document is usually enough');
    }

    const params = { ...skillParams, ...(isRecord(step.params) ? step.params : {}) };
    const reasoning = isRecord(params.reasoning) ? params.reasoning : undefined;
    if (reasoning === undefined) continue;
    const own = isRecord(step.params) && step.params.reasoning !== undefined;
    const where = (key: string) => (isRecord(step.params) && step.params[key] !== undefined ? [...at, 'params', key] : ['engines', 'params', key]);
    const budget = reasoning.budget_tokens;
    if (typeof budget === 'number' && typeof params.max_tokens === 'number' && params.max_tokens <= budget) {
      report('SDL3042', own ? [...at, 'params', 'reasoning', 'budget_tokens'] : ['engines', 'params', 'reasoning', 'budget_tokens'], 'value',
        `\`reasoning.budget_tokens\` (${budget}) must be less than \`max_tokens\` (${params.max_tokens}): thinking counts toward max_tokens`,
        `raise \`max_tokens\` above ${budget}, or lower the budget`);
    }
    if (params.temperature !== undefined) {
      report('SDL3043', where('temperature'), 'key', `step \`${String(step.id)}\` reasons, so \`temperature\` is not sent (reasoning models take none)`, 'remove `temperature` from the params of reasoning steps');
    }
  }
};
