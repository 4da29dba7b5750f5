/** Anything with a case-insensitive `get(name)`: e.g. fetch `Headers`. */
export interface HeaderSource {
  /** The header's value by case-insensitive name, or null/undefined when absent. */
  get(name: string): string | null | undefined;
}

/** Parses durations like `1s`, `6m0s`, `20ms`, `1h2m3.5s` (OpenAI's `x-ratelimit-reset-*` format). */
export function parseDurationMs(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    const n = Number(match[1]);
    const unit = match[2];
    total += unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? Math.round(total) : undefined;
}

/**
 * How long the server asks us to wait, in milliseconds: `retry-after-ms` first, then `retry-after`
 * (seconds or an HTTP date), then the earliest provider reset header. Undefined when none applies.
 */
export function retryAfterMsFrom(
  headers: HeaderSource | undefined | null,
  now: number = Date.now(),
  options: { resetHeaders?: boolean } = {},
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms != null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Math.round(Number(ms));
  const after = headers.get('retry-after');
  if (after != null && after.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(after.trim())) return Math.round(Number(after) * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (options.resetHeaders === false) return undefined;
  const candidates: number[] = [];
  // Anthropic: RFC 3339 timestamps.
  for (const name of [
    'anthropic-ratelimit-requests-reset',
    'anthropic-ratelimit-tokens-reset',
    'anthropic-ratelimit-input-tokens-reset',
    'anthropic-ratelimit-output-tokens-reset',
  ]) {
    const v = headers.get(name);
    if (v) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) candidates.push(Math.max(0, t - now));
    }
  }
  // OpenAI (and others): durations such as `1s` or `6m0s`.
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const v = headers.get(name);
    if (v) {
      const d = parseDurationMs(v);
      if (d !== undefined) candidates.push(d);
    }
  }
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}
