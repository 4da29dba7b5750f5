/** Errors of provider batches (`runtime.providerBatch`); kept apart so they load without the batch code. */

/** A line the provider did not answer: its batch expired or was canceled first, or the provider refused the batch. */
export class ProviderBatchLineError extends Error {
  override readonly name = 'ProviderBatchLineError';
  constructor(
    /** `batch_expired`, `batch_canceled`, `batch_failed` or `batch_result_missing`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The engine named cannot run provider batches (no batch API, e.g. Cohere or a host's own adapter). */
export class ProviderBatchUnsupportedError extends Error {
  override readonly name = 'ProviderBatchUnsupportedError';
  /** Stable code. */
  readonly code = 'batch_provider_unsupported';
}

