/**
 * The parts of the runtime's spans that do not change from call to call (span names, the fixed
 * attributes of a skill's and a step's spans), built once per skill, step and model and reused:
 * a traced call then builds no strings and no attribute sets for them. The SDK copies attribute
 * values into its own span, so sharing one frozen set between spans is safe.
 */
import { SpanKind, type Attributes, type SpanOptions } from '@opentelemetry/api';
import type { LoadedSkill, LoadedStep } from '../load/loaded-skill.js';
import { GENAI, SDL_ATTR } from './genai-conventions.js';

/** What a skill's `invoke_agent` spans start with. */
export interface SkillStatics {
  readonly name: string;
  /** The run's span: agent name, version and hash (the run id and session are per run). */
  readonly run: Attributes;
  /** A nested `use:` skill's span: agent name and version. */
  readonly nested: Attributes;
}

/** A `chat` span's name and start options: what the conventions ask samplers to see. */
export interface ChatStart {
  readonly name: string;
  readonly provider: string;
  readonly options: SpanOptions;
}

/** What a top-level step's span starts with. */
export interface StepStatics {
  readonly name: string;
  readonly attributes: Attributes;
}

export class SpanStatics {
  private readonly skills = new WeakMap<LoadedSkill, SkillStatics>();
  private readonly steps = new WeakMap<LoadedStep, StepStatics>();
  /** By engine, then model: both come from the engine configuration, a bounded set. */
  private readonly chats = new Map<string, Map<string, ChatStart>>();
  /** The last {@link chatStart} answer and what it was for: a runtime's calls mostly go to one engine and model. */
  private last: { engine: string; model: string; start: ChatStart } | undefined;

  skill(skill: LoadedSkill): SkillStatics {
    let statics = this.skills.get(skill);
    if (statics === undefined) {
      const nested = Object.freeze({ [GENAI.operationName]: 'invoke_agent', [GENAI.agentName]: skill.name, [SDL_ATTR.skillVersion]: skill.version });
      statics = { name: `invoke_agent ${skill.name}`, nested, run: Object.freeze({ ...nested, [SDL_ATTR.skillHash]: skill.hash }) };
      this.skills.set(skill, statics);
    }
    return statics;
  }

  /**
   * A step's span name and fixed attributes. `sdl.step.path` is set only inside a nested skill: at
   * the top level the path is the step id, already in `sdl.step.id` on the same span.
   */
  step(step: LoadedStep, path: readonly string[]): StepStatics {
    if (path.length > 1) return stepStatics(step, path);
    let statics = this.steps.get(step);
    if (statics === undefined) {
      statics = stepStatics(step, path);
      this.steps.set(step, statics);
    }
    return statics;
  }

  /** `chat {model}` with `gen_ai.operation.name`, `gen_ai.provider.name` and `gen_ai.request.model`. */
  chatStart(engine: string, provider: string, model: string): ChatStart {
    const last = this.last;
    if (last !== undefined && last.engine === engine && last.model === model && last.start.provider === provider) return last.start;
    const start = this.chatStartOf(engine, provider, model);
    this.last = { engine, model, start };
    return start;
  }

  private chatStartOf(engine: string, provider: string, model: string): ChatStart {
    let byModel = this.chats.get(engine);
    if (byModel === undefined) {
      byModel = new Map();
      this.chats.set(engine, byModel);
    }
    let start = byModel.get(model);
    if (start === undefined || start.provider !== provider) {
      const attributes = Object.freeze({ [GENAI.operationName]: 'chat', [GENAI.providerName]: provider, [GENAI.requestModel]: model });
      start = { name: `chat ${model}`, provider, options: Object.freeze({ kind: SpanKind.CLIENT, attributes }) };
      byModel.set(model, start);
    }
    return start;
  }
}

function stepStatics(step: LoadedStep, path: readonly string[]): StepStatics {
  const attributes: Attributes = { [SDL_ATTR.stepId]: step.id, [SDL_ATTR.stepKind]: step.kind };
  if (path.length > 1) attributes[SDL_ATTR.stepPath] = path.join('.');
  return { name: `sdl.step ${step.id}`, attributes: Object.freeze(attributes) };
}
