import { didYouMean } from '../util/suggest.js';
import { asArray, type Check, isRecord, stepsOf } from './context.js';

/** Test cases: unique names, and `replies`/`expect` name steps that exist (replies: prompt steps). */
export const checkTests: Check = ({ skill, report }) => {
  const steps = new Map<string, Record<string, unknown>>();
  for (const { step } of stepsOf(skill)) if (typeof step.id === 'string' && !steps.has(step.id)) steps.set(step.id, step);
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
      for (const id of Object.keys(test.replies)) {
        const step = steps.get(id);
        if (!step) report('SDL3002', ['tests', t, 'replies', id], 'key', `\`replies\` names step \`${id}\`, which does not exist`, didYouMean(id, ids) ?? `steps: ${ids.join(', ')}`);
        else if (step.prompt === undefined) report('SDL3020', ['tests', t, 'replies', id], 'key', `step \`${id}\` does not prompt a model, so it takes no scripted reply`, 'script replies only for prompt steps; tool steps call the host and use steps run their own skill');
      }
    }
    if (isRecord(test.expect)) {
      for (const path of Object.keys(test.expect)) {
        const m = /^steps\.([A-Za-z_][A-Za-z0-9_]*)(?:\.|$)/.exec(path);
        if (m && !steps.has(m[1]!)) report('SDL3002', ['tests', t, 'expect', path], 'key', `\`expect\` reads step \`${m[1]}\`, which does not exist`, didYouMean(m[1]!, ids) ?? `steps: ${ids.join(', ')}`);
      }
    }
  });
};
