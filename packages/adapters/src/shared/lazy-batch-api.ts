import type { BatchLineResult, ProviderBatchApi } from '../types.js';

/**
 * A batch API whose module (and the SDK under it) loads on its first call, so an adapter can
 * offer `batches` without importing anything until a host uses it.
 */
export function lazyBatchApi(open: () => Promise<ProviderBatchApi>): ProviderBatchApi {
  let loading: Promise<ProviderBatchApi> | undefined;
  const api = () => (loading ??= open().catch((err: unknown) => {
    loading = undefined;
    throw err;
  }));
  return {
    create: async (lines, options) => (await api()).create(lines, options),
    retrieve: async (id, options) => (await api()).retrieve(id, options),
    cancel: async (id, options) => (await api()).cancel(id, options),
    async *results(id, options): AsyncIterable<BatchLineResult> {
      yield* (await api()).results(id, options);
    },
  };
}
