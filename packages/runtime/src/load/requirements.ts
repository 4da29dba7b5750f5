/**
 * Which engines can run a skill: each candidate's model descriptor is checked against `requires:`
 * (context window, features). Candidates are the skill's `engines.prefer` in order, then every other
 * engine the runtime has, so a refusal can say engine by engine why none qualified.
 */
import type { ModelDescriptor, Provider } from '@sdl/adapters';
import type { EngineBinding } from '../run/call-model.js';
import type { LoadedSkill } from './loaded-skill.js';

/** Finds the descriptor of a model (the adapters' `models.json`, or the host's own table). */
export type DescribeModel = (provider: Provider, modelId: string) => ModelDescriptor | undefined;

/** Whether one engine can serve a skill (its `requires:` against the model's descriptor), and why not. */
export interface EngineQualification {
  engine: string;
  /** The model this skill would use on the engine. */
  model: string;
  descriptor?: ModelDescriptor;
  /** Empty when the engine qualifies. */
  reasons: string[];
}

function hasRequirements(skill: LoadedSkill): boolean {
  return skill.requires.context_window !== undefined || (skill.requires.features?.length ?? 0) > 0;
}

/** Checks every candidate engine against the skill's `requires:`; qualified ones have no reasons. */
export function qualifyEngines(
  skill: LoadedSkill,
  engines: ReadonlyMap<string, EngineBinding>,
  describeModel?: DescribeModel,
): EngineQualification[] {
  const candidates = [...new Set([...skill.engines.prefer, ...engines.keys()])];
  const results: EngineQualification[] = [];
  for (const engine of candidates) {
    const binding = engines.get(engine);
    if (binding === undefined) {
      results.push({ engine, model: skill.engines.models[engine] ?? '?', reasons: ['not configured in this runtime'] });
      continue;
    }
    const model = skill.engines.models[engine] ?? binding.model;
    // The host's own descriptor for its configured model wins over the shared table.
    const descriptor =
      (model === binding.model ? binding.descriptor : undefined) ?? describeModel?.(binding.adapter.provider, model);
    const reasons: string[] = [];
    if (descriptor === undefined) {
      if (hasRequirements(skill)) {
        reasons.push(`no descriptor for model \`${model}\`, so \`requires:\` cannot be checked (describe it in the engine config)`);
      }
    } else {
      const needed = skill.requires.context_window;
      if (needed !== undefined && descriptor.contextWindow < needed) {
        reasons.push(`context window ${descriptor.contextWindow} < required ${needed}`);
      }
      for (const feature of skill.requires.features ?? []) {
        if (!descriptor.features.includes(feature)) reasons.push(`model \`${model}\` lacks feature \`${feature}\``);
      }
    }
    results.push(descriptor === undefined ? { engine, model, reasons } : { engine, model, descriptor, reasons });
  }
  return results;
}
