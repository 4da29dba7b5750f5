import { type Check, isRecord, stepsOf } from './context.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Policy values that are each valid but contradict each other. */
export const checkPolicies: Check = ({ skill, report }) => {
  const policies = isRecord(skill.policies) ? skill.policies : {};
  const retry = isRecord(policies.retry) ? policies.retry : {};
  const base = num(retry.base_ms);
  const max = num(retry.max_ms);
  if (base !== undefined && max !== undefined && max < base) {
    report('SDL3009', ['policies', 'retry', 'max_ms'], 'value', `\`retry.max_ms\` (${max}) is smaller than \`retry.base_ms\` (${base})`, `the delay cap must be at least the first delay: set \`max_ms\` to ${base} or more`);
  }
  // One request's output alone must fit the per-minute token budget, or it can never be sent.
  const engines = isRecord(skill.engines) ? skill.engines : {};
  const params = isRecord(engines.params) ? engines.params : {};
  const maxTokens = [{ value: num(params.max_tokens), path: ['engines', 'params', 'max_tokens'] as (string | number)[] }];
  for (const { step, index } of stepsOf(skill)) {
    if (isRecord(step.params)) maxTokens.push({ value: num(step.params.max_tokens), path: ['steps', index, 'params', 'max_tokens'] });
  }
  const tpm = num(isRecord(policies.rate_limit) ? policies.rate_limit.tpm : undefined);
  const budget = num(isRecord(policies.budget) ? policies.budget.max_tokens : undefined);
  for (const { value, path } of maxTokens) {
    if (value === undefined) continue;
    if (tpm !== undefined && value > tpm) {
      report('SDL3010', path, 'value', `\`max_tokens\` (${value}) exceeds \`policies.rate_limit.tpm\` (${tpm}): such a request could never be sent`, 'raise `tpm` or lower `max_tokens`');
    } else if (budget !== undefined && value > budget) {
      report('SDL3010', path, 'value', `\`max_tokens\` (${value}) exceeds \`policies.budget.max_tokens\` (${budget}): one reply could use the whole run budget`, 'raise `budget.max_tokens` or lower `max_tokens`');
    }
  }
};
