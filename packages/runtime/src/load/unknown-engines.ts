/**
 * Engines a skill names that the runtime does not have: in `engines.prefer`, as a key of
 * `engines.models`, or as a step's `engine`. A name that is never configured is almost always a
 * typo or a missing config entry; skipping it silently would run the skill somewhere else.
 */
import { didYouMean } from '@sdl/compiler/core';
import type { LoadedSkill, SourceLocation } from './loaded-skill.js';
import type { ResolutionProblem } from './resolution-error.js';

/** One problem per engine name the skill uses and `configured` lacks, with a did-you-mean. */
export function unknownEngineProblems(skill: LoadedSkill, configured: readonly string[]): ResolutionProblem[] {
  if (configured.length === 0) return []; // "no engines at all" is reported on its own
  const known = new Set(configured);
  // IR compiled before engine names had source-map entries falls back to the skill's own entry.
  const at = (pointer: string) => skill.sourceMap[pointer] ?? skill.sourceMap['/engines'] ?? skill.sourceMap[''];
  const uses: { name: string; where: string; location: SourceLocation | undefined }[] = [];
  skill.engines.prefer.forEach((name, i) => uses.push({ name, where: '`engines.prefer`', location: at(`/engines/prefer/${i}`) }));
  for (const name of Object.keys(skill.engines.models)) {
    uses.push({ name, where: '`engines.models`', location: at(`/engines/models/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`) });
  }
  const summarizer = skill.memory?.summarize?.engine;
  if (summarizer !== undefined) uses.push({ name: summarizer, where: '`memory.summarize.engine`', location: at('/memory/summarize/engine') });
  for (const step of skill.steps) {
    if (step.kind === 'prompt' && step.engine !== undefined) uses.push({ name: step.engine, where: `step \`${step.id}\``, location: step.source });
  }
  const problems: ResolutionProblem[] = [];
  const reported = new Set<string>();
  for (const { name, where, location } of uses) {
    if (known.has(name) || reported.has(`${name}\u0000${where}`)) continue;
    reported.add(`${name}\u0000${where}`);
    const hint = didYouMean(name, configured);
    problems.push({
      kind: 'engine-name',
      subject: name,
      reason: `named in ${where} but not configured (configured: ${configured.join(', ')})${hint === undefined ? '; add it to sdl.config.yaml or remove it from the skill' : `; ${hint}`}`,
      ...(location !== undefined ? { location } : {}),
    });
  }
  return problems;
}
