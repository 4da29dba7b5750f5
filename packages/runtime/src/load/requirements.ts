/**
 * Which engines can run a skill: each candidate's model descriptor is checked against `requires:`
 * (context window, features). Candidates are the skill's `engines.prefer` in order, then every other
 * engine the runtime has, so a refusal can say engine by engine why none qualified.
 */
import type { ModelDescriptor, ModelFeature, Provider } from '@sdl/adapters';
import type { EngineBinding } from '../run/call-model.js';
import { formatLocation, type LoadedSkill, type PromptStep } from './loaded-skill.js';

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

/** A feature a prompt step's content needs: images (`vision`), PDFs (`pdf`), `reasoning`. */
export interface StepFeature {
  feature: ModelFeature;
  step: PromptStep;
}

/** The features each prompt step's content needs of the model that serves it. */
export function stepFeatures(skill: LoadedSkill): StepFeature[] {
  const out: StepFeature[] = [];
  for (const step of skill.steps) {
    if (step.kind !== 'prompt') continue;
    const media = new Set((step.attachments ?? []).map((a) => a.media));
    if (media.has('image')) out.push({ feature: 'vision', step });
    if (media.has('pdf')) out.push({ feature: 'pdf', step });
    const reasoning = step.params?.reasoning ?? skill.engines.params.reasoning;
    if (reasoning !== undefined) out.push({ feature: 'reasoning', step });
  }
  return out;
}

function hasRequirements(skill: LoadedSkill, needs: readonly StepFeature[]): boolean {
  return skill.requires.context_window !== undefined || (skill.requires.features?.length ?? 0) > 0 || needs.length > 0;
}

/** Checks every candidate engine against the skill's `requires:`; qualified ones have no reasons. */
export function qualifyEngines(
  skill: LoadedSkill,
  engines: ReadonlyMap<string, EngineBinding>,
  describeModel?: DescribeModel,
): EngineQualification[] {
  const candidates = [...new Set([...skill.engines.prefer, ...engines.keys()])];
  const needs = stepFeatures(skill);
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
      if (hasRequirements(skill, needs)) {
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
      // A step pinned to another engine does not bind this one.
      for (const { feature, step } of needs) {
        if (step.engine !== undefined && step.engine !== engine) continue;
        if (!descriptor.features.includes(feature)) {
          reasons.push(`model \`${model}\` lacks feature \`${feature}\` needed by step \`${step.id}\` (${formatLocation(step.source)})`);
        }
      }
    }
    results.push(descriptor === undefined ? { engine, model, reasons } : { engine, model, descriptor, reasons });
  }
  return results;
}
