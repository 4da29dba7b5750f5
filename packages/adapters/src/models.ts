import data from './models.json' with { type: 'json' };
import type { ModelDescriptor, ModelFeature, ModelPricing, Provider, Usage } from './types.js';

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
  pricing?: Partial<ModelPricing>;
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
    pricing: resolvePricing(base?.pricing, info?.pricing),
  };
}

/** What costOf is given without options: one object, not a fresh `{}` per call (it runs once per model call). */
const NO_COST_OPTIONS: { batch?: boolean } = Object.freeze({});

/**
 * US dollars for a call's usage on a model, by the provider's published formula on the neutral figures:
 * the uncached input (`inputTokens - cacheReadTokens - cacheWriteTokens`) at the input price, cache reads
 * and writes at their own prices (the input price when the model has none), output (reasoning included)
 * at the output price. Billed units (Cohere), when reported, replace the counted tokens. `batch` prices
 * the call at the batch-API prices where the model has them.
 */
export function costOf(model: ModelDescriptor, usage: Usage, options: { batch?: boolean } = NO_COST_OPTIONS): number {
  const p = model.pricing;
  const inputPrice = (options.batch ? p.batchInputPerMTok : undefined) ?? p.inputPerMTok;
  const outputPrice = (options.batch ? p.batchOutputPerMTok : undefined) ?? p.outputPerMTok;
  if (usage.billedInputTokens !== undefined || usage.billedOutputTokens !== undefined) {
    return ((usage.billedInputTokens ?? usage.inputTokens) * inputPrice + (usage.billedOutputTokens ?? usage.outputTokens) * outputPrice) / 1_000_000;
  }
  const read = usage.cacheReadTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - read - write);
  const input = uncached * inputPrice + read * (p.cacheReadPerMTok ?? inputPrice) + write * (p.cacheWritePerMTok ?? inputPrice);
  return (input + usage.outputTokens * outputPrice) / 1_000_000;
}

/** The data file's prices with a config's `model_info.pricing` laid over them field by field. */
function resolvePricing(base: ModelPricing | undefined, over: Partial<ModelPricing> | undefined): ModelPricing {
  const pricing: ModelPricing = { inputPerMTok: over?.inputPerMTok ?? base?.inputPerMTok ?? 0, outputPerMTok: over?.outputPerMTok ?? base?.outputPerMTok ?? 0 };
  for (const key of ['cacheReadPerMTok', 'cacheWritePerMTok', 'batchInputPerMTok', 'batchOutputPerMTok'] as const) {
    const value = over?.[key] ?? base?.[key];
    if (value !== undefined) pricing[key] = value;
  }
  return pricing;
}

function cloneDescriptor(m: ModelDescriptor): ModelDescriptor {
  return { ...m, features: [...m.features], pricing: { ...m.pricing } };
}
