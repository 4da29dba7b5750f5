import { EngineError } from '../errors.js';
import type { Attachment, MediaSource, ReasoningRequest } from '../types.js';

/** Image media types every provider that takes images accepts. */
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** The media type of a document: base64 sources say it; a URL source is a PDF (the only kind providers fetch). */
export function documentMediaType(source: MediaSource): string {
  return source.kind === 'base64' ? source.mediaType : 'application/pdf';
}

/** `data:<type>;base64,<data>` of a base64 source; the form OpenAI and Cohere take inline bytes in. */
export function dataUrl(source: Extract<MediaSource, { kind: 'base64' }>): string {
  return `data:${source.mediaType};base64,${source.data}`;
}

/** The text of a `text/plain` document (base64 sources are decoded as UTF-8). */
export function plainText(source: Extract<MediaSource, { kind: 'base64' }>): string {
  return Buffer.from(source.data, 'base64').toString('utf8');
}

/** A request this provider cannot express: the adapter refuses it before sending anything. */
export function unsupportedContent(provider: string, what: string): EngineError {
  return new EngineError('invalid_request', `${provider}: ${what}`, { provider });
}

/** Checks an attachment's media type for the kinds every adapter maps; throws `invalid_request` otherwise. */
export function checkAttachment(provider: string, part: Attachment): void {
  if (part.type === 'image') {
    if (part.source.kind === 'base64' && !IMAGE_MEDIA_TYPES.has(part.source.mediaType)) {
      throw unsupportedContent(provider, `image media type \`${part.source.mediaType}\` is not one of ${[...IMAGE_MEDIA_TYPES].join(', ')}`);
    }
    return;
  }
  const type = documentMediaType(part.source);
  if (type !== 'application/pdf' && type !== 'text/plain') {
    throw unsupportedContent(provider, `document media type \`${type}\` is not application/pdf or text/plain`);
  }
}

/**
 * The effort level for a request that gives only a token budget (OpenAI takes levels only):
 * up to 2048 tokens is `low`, up to 8192 `medium`, more is `high`.
 */
export function effortOf(reasoning: ReasoningRequest): 'low' | 'medium' | 'high' {
  if (reasoning.effort !== undefined) return reasoning.effort;
  const budget = reasoning.budgetTokens ?? 0;
  return budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high';
}

/**
 * The token budget for a request that gives only an effort level (Cohere takes budgets only):
 * `low` 1024, `medium` 4096, `high` 16384.
 */
export function budgetOf(reasoning: ReasoningRequest): number {
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  return reasoning.effort === 'low' ? 1024 : reasoning.effort === 'high' ? 16384 : 4096;
}
