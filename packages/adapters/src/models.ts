import data from './models.json' with { type: 'json' };
import type { ModelDescriptor, ModelFeature, Provider, Usage } from './types.js';

const MODELS: readonly ModelDescriptor[] = (data as { models: ModelDescriptor[] }).models;

/** Every known model, optionally of one provider. */
export function listModels(provider?: Provider): ModelDescriptor[] {
  return MODELS.filter((m) => provider === undefined || m.provider === provider).map(cloneDescriptor);
}

/** The descriptor of a known model, or undefined. The scripted engine accepts any model id. */
export function findModel(provider: Provider, id: string): ModelDescriptor | undefined {
  const found = MODELS.find((m) => m.provider === provider && m.id === id);
  if (found) return cloneDescriptor(found);
  if (provider === 'scripted') return { ...cloneDescriptor(MODELS.find((m) => m.provider === 'scripted')!), id };
  return undefined;
}

/** What an engine config may say about a model (`model_info`): all fields for an unknown model, any for a known one. */
export interface ModelInfo {
  contextWindow?: number;
  maxOutputTokens?: number;
  features?: ModelFeature[];
  pricing?: { inputPerMTok?: number; outputPerMTok?: number };
}

/**
 * The descriptor an engine uses: the data file's entry with `info` laid over it. An unknown model
 * needs `info` with at least `contextWindow` and `maxOutputTokens`; without it this returns undefined.
 */
export function resolveModel(provider: Provider, id: string, info?: ModelInfo): ModelDescriptor | undefined {
  const base = findModel(provider, id);
  if (!base && (info?.contextWindow === undefined || info.maxOutputTokens === undefined)) return undefined;
  return {
    provider,
    id,
    contextWindow: info?.contextWindow ?? base!.contextWindow,
    maxOutputTokens: info?.maxOutputTokens ?? base!.maxOutputTokens,
    features: info?.features ? [...info.features] : base ? [...base.features] : ['streaming'],
    pricing: {
      inputPerMTok: info?.pricing?.inputPerMTok ?? base?.pricing.inputPerMTok ?? 0,
      outputPerMTok: info?.pricing?.outputPerMTok ?? base?.pricing.outputPerMTok ?? 0,
    },
  };
}

/** US dollars for a call's usage on a model. */
export function costOf(model: ModelDescriptor, usage: Usage): number {
  return (usage.inputTokens * model.pricing.inputPerMTok + usage.outputTokens * model.pricing.outputPerMTok) / 1_000_000;
}

function cloneDescriptor(m: ModelDescriptor): ModelDescriptor {
  return { ...m, features: [...m.features], pricing: { ...m.pricing } };
}
