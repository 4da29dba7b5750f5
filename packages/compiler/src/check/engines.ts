import { didYouMean } from '../util/suggest.js';
import { asArray, type Check, isRecord, stepsOf } from './context.js';

/**
 * Engine names agree: `prefer` lists each engine once, and when `prefer` is given, every engine
 * named in `models` or a step's `engine` is in it (otherwise it could never be chosen).
 */
export const checkEngines: Check = ({ skill, report }) => {
  const engines = isRecord(skill.engines) ? skill.engines : {};
  const preferred: string[] = [];
  asArray(engines.prefer).forEach((name, i) => {
    if (typeof name !== 'string') return;
    if (preferred.includes(name)) report('SDL3008', ['engines', 'prefer', i], 'value', `engine \`${name}\` is listed twice in \`engines.prefer\``, 'list each engine once, in failover order');
    else preferred.push(name);
  });
  if (!Array.isArray(engines.prefer)) return;
  const hint = (name: string) => didYouMean(name, preferred) ?? `add \`${name}\` to \`engines.prefer\``;
  if (isRecord(engines.models)) {
    for (const name of Object.keys(engines.models)) {
      if (!preferred.includes(name)) report('SDL3007', ['engines', 'models', name], 'key', `\`engines.models\` names engine \`${name}\`, which is not in \`engines.prefer\``, hint(name));
    }
  }
  for (const { step, index } of stepsOf(skill)) {
    if (typeof step.engine === 'string' && !preferred.includes(step.engine)) {
      report('SDL3007', ['steps', index, 'engine'], 'value', `step engine \`${step.engine}\` is not in \`engines.prefer\``, hint(step.engine));
    }
  }
};
