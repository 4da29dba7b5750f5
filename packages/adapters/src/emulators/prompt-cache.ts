/**
 * The emulators' prompt cache, so a test or the demo sees cache writes then reads the way the providers
 * report them: Anthropic caches the prefix up to the last `cache_control` breakpoint (tools, system, then
 * messages, in that order) when the client marks one; OpenAI caches any prompt of 1024 tokens or more
 * automatically, in 128-token steps. Cohere reports no cache usage here.
 */
import { isObject } from './dialect.js';
import { countTokens, type EmulatorRequest } from './reply.js';

/** Cache reads and writes of one request, in tokens (both within the request's input tokens). */
export interface CacheUsage {
  readTokens: number;
  writeTokens: number;
}

/** The text of the request prefix the provider would cache, or undefined when nothing is cacheable. */
function cacheablePrefix(request: EmulatorRequest): string | undefined {
  const body = isObject(request.body) ? request.body : {};
  if (request.provider === 'anthropic') {
    const blocks: unknown[] = [
      ...(Array.isArray(body.tools) ? body.tools : []),
      ...(Array.isArray(body.system) ? body.system : typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : []),
      ...(Array.isArray(body.messages) ? body.messages.flatMap((m) => (isObject(m) && Array.isArray(m.content) ? m.content : [isObject(m) ? m.content : m])) : []),
    ];
    let last = -1;
    blocks.forEach((b, i) => {
      if (isObject(b) && b.cache_control !== undefined) last = i;
    });
    return last < 0 ? undefined : JSON.stringify(blocks.slice(0, last + 1));
  }
  if (request.provider === 'openai') {
    // Everything before the last message: the part a follow-up call repeats.
    const prefix = JSON.stringify([request.system ?? '', request.tools, request.messages.slice(0, -1)]);
    return countTokens(prefix) >= 1024 ? prefix : undefined;
  }
  return undefined;
}

/** Remembers the prefixes seen by one emulator. */
export class PromptCache {
  private readonly seen = new Set<string>();

  /** The cache usage of a request, recording its prefix as written. */
  use(request: EmulatorRequest, inputTokens: number): CacheUsage {
    const prefix = cacheablePrefix(request);
    if (prefix === undefined) return { readTokens: 0, writeTokens: 0 };
    let tokens = Math.min(inputTokens, countTokens(prefix));
    if (request.provider === 'openai') tokens = Math.floor(tokens / 128) * 128;
    if (this.seen.has(prefix)) return { readTokens: tokens, writeTokens: 0 };
    this.seen.add(prefix);
    // OpenAI does not bill or report cache writes.
    return { readTokens: 0, writeTokens: request.provider === 'anthropic' ? tokens : 0 };
  }
}
