import { didYouMean } from '../util/suggest.js';
import { asArray, type Check, isRecord, stepsOf } from './context.js';

/** Names a `for_each` loop variable may not take: they would hide the variables in scope. */
const RESERVED_NAMES = ['inputs', 'steps', 'index', 'output'];

/**
 * Step-level structure: unique ids, `use:`/`tool:`/`tools:` name declared things, `output: outputs`
 * needs `outputs`, loop options only with `for_each`, and declared tools/dependencies are used.
 */
export const checkSteps: Check = ({ skill, report }) => {
  const tools = isRecord(skill.tools) ? Object.keys(skill.tools) : [];
  const uses = isRecord(skill.uses) ? Object.keys(skill.uses) : [];
  const usedTools = new Set<string>();
  const usedAliases = new Set<string>();
  const firstIndex = new Map<string, number>();
  for (const { step, index } of stepsOf(skill)) {
    const at = ['steps', index];
    if (typeof step.id === 'string') {
      const first = firstIndex.get(step.id);
      if (first !== undefined) report('SDL3001', [...at, 'id'], 'value', `step id \`${step.id}\` is already used by step ${first + 1}`, 'give each step a unique id; later steps refer to it as `steps.<id>.output`');
      else firstIndex.set(step.id, index);
    }
    if (typeof step.use === 'string') {
      usedAliases.add(step.use);
      if (!uses.includes(step.use)) {
        report('SDL3003', [...at, 'use'], 'value', `\`${step.use}\` is not declared under \`uses\``, didYouMean(step.use, uses) ?? `declare it: \`uses: { ${step.use}: { skill: ./${step.use}.skill.yaml } }\``);
      }
    }
    if (typeof step.tool === 'string') {
      usedTools.add(step.tool);
      if (!tools.includes(step.tool)) report('SDL3004', [...at, 'tool'], 'value', `tool \`${step.tool}\` is not declared under \`tools\``, didYouMean(step.tool, tools) ?? 'declare it under `tools:` with a description and parameters');
    }
    asArray(step.tools).forEach((name, i) => {
      if (typeof name !== 'string') return;
      usedTools.add(name);
      if (!tools.includes(name)) report('SDL3004', [...at, 'tools', i], 'value', `tool \`${name}\` is not declared under \`tools\``, didYouMean(name, tools) ?? 'declare it under `tools:` with a description and parameters');
    });
    if (step.output === 'outputs' && skill.outputs === undefined) {
      report('SDL3013', [...at, 'output'], 'value', '`output: outputs` but the skill declares no `outputs` schema', 'declare `outputs:` at the top level, or use `output: text` or an inline schema');
    }
    if (step.for_each === undefined) {
      for (const key of ['as', 'concurrency'] as const) {
        if (step[key] !== undefined) report('SDL3017', [...at, key], 'key', `\`${key}\` only applies to a step with \`for_each\``, `add \`for_each: <list expression>\` or remove \`${key}\``);
      }
    } else if (typeof step.as === 'string' && RESERVED_NAMES.includes(step.as)) {
      report('SDL3018', [...at, 'as'], 'value', `loop variable \`${step.as}\` would hide \`${step.as}\``, 'pick another name, e.g. `as: item`');
    }
  }
  for (const name of tools) {
    if (!usedTools.has(name)) report('SDL3015', ['tools', name], 'key', `tool \`${name}\` is declared but no step uses it`, 'list it in a prompt step\'s `tools:` or call it with `tool:`, or remove it');
  }
  for (const alias of uses) {
    if (!usedAliases.has(alias)) report('SDL3016', ['uses', alias], 'key', `dependency \`${alias}\` is declared but no step uses it`, `call it from a step with \`use: ${alias}\`, or remove it`);
  }
};
