import type Anthropic from '@anthropic-ai/sdk';
import type { AssistantMessage, Attachment, EngineRequest, UserMessage } from '../types.js';
import { checkAttachment, documentMediaType, plainText, unsupportedContent } from '../shared/media.js';

type Body = Anthropic.Messages.MessageCreateParamsNonStreaming;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;
type ImageMediaType = Anthropic.Messages.Base64ImageSource['media_type'];

/** Anthropic accepts at most this many `cache_control` breakpoints in one request. */
const MAX_CACHE_BREAKPOINTS = 4;

const EPHEMERAL = { type: 'ephemeral' } as const;

/**
 * The signed thinking of an earlier Claude turn, sent back unchanged and first, as the API requires
 * with tool use. Reasoning from another provider (or unsigned) is dropped: Claude would reject it.
 */
export function thinkingBlocks(message: AssistantMessage): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = [];
  for (const part of message.reasoning ?? []) {
    if (part.provider !== 'anthropic') continue;
    if (part.redacted !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redacted });
    else if (part.signature !== undefined) blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
  }
  return blocks;
}

/** One attachment as an `image` or `document` block (a `text/plain` document becomes a plain-text source). */
function attachmentBlock(part: Attachment): Anthropic.Messages.ImageBlockParam | Anthropic.Messages.DocumentBlockParam {
  checkAttachment('anthropic', part);
  const { source } = part;
  if (part.type === 'image') {
    return {
      type: 'image',
      source: source.kind === 'url' ? { type: 'url', url: source.url } : { type: 'base64', media_type: source.mediaType as ImageMediaType, data: source.data },
      ...(part.cache ? { cache_control: EPHEMERAL } : {}),
    };
  }
  const block: Anthropic.Messages.DocumentBlockParam = {
    type: 'document',
    source:
      source.kind === 'url'
        ? { type: 'url', url: source.url }
        : documentMediaType(source) === 'text/plain'
          ? { type: 'text', media_type: 'text/plain', data: plainText(source) }
          : { type: 'base64', media_type: 'application/pdf', data: source.data },
  };
  if (part.title !== undefined) block.title = part.title;
  if (part.cache) block.cache_control = EPHEMERAL;
  return block;
}

/** The blocks of a user turn: its attachments in order, then its text (Anthropic's recommended placement). */
export function userBlocks(message: UserMessage): ContentBlockParam[] {
  const blocks: ContentBlockParam[] = (message.attachments ?? []).map(attachmentBlock);
  if (message.content !== '' || blocks.length === 0) blocks.push({ type: 'text', text: message.content });
  return blocks;
}

/**
 * `reasoning` -> extended thinking. A token budget is `thinking: {type: enabled, budget_tokens}`; an
 * effort alone is adaptive thinking with `output_config.effort`. `max_tokens` counts the thinking too:
 * with no `maxTokens` in the request the default reply allowance is added to the budget; a request
 * whose `maxTokens` does not exceed the budget is refused (the API would answer 400).
 */
export function applyReasoning(body: Body, request: EngineRequest, defaultMaxTokens: number): void {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return;
  if (reasoning.budgetTokens !== undefined) {
    if (request.maxTokens === undefined) body.max_tokens = reasoning.budgetTokens + defaultMaxTokens;
    else if (request.maxTokens <= reasoning.budgetTokens) {
      throw unsupportedContent('anthropic', `max_tokens (${request.maxTokens}) must be greater than the reasoning budget (${reasoning.budgetTokens}): Anthropic counts thinking in max_tokens`);
    }
    body.thinking = { type: 'enabled', budget_tokens: reasoning.budgetTokens };
  } else body.thinking = { type: 'adaptive' };
  if (reasoning.effort !== undefined) body.output_config = { ...body.output_config, effort: reasoning.effort };
}

/**
 * Places `cache_control` breakpoints: the last tool definition (`cache.tools`), the system prompt
 * (`cache.system`, sent as one text block), then attachments marked `cache` — at most
 * {@link MAX_CACHE_BREAKPOINTS} in all. When the marks are more than the API takes, the tool and system
 * marks are kept and, of the attachments, the latest ones (the longest prefixes).
 */
export function placeCacheBreakpoints(body: Body, request: EngineRequest): void {
  let left = MAX_CACHE_BREAKPOINTS;
  if (request.cache?.tools && body.tools && body.tools.length > 0) {
    const last = body.tools[body.tools.length - 1]!;
    body.tools[body.tools.length - 1] = { ...last, cache_control: EPHEMERAL } as typeof last;
    left--;
  }
  if (request.cache?.system && typeof body.system === 'string' && body.system !== '') {
    body.system = [{ type: 'text', text: body.system, cache_control: EPHEMERAL }];
    left--;
  }
  // `userBlocks` marked the attachments; the earliest marks beyond the limit are taken off. No
  // array is made for a request without marks (most of them).
  let marked: Array<{ cache_control?: unknown }> | undefined;
  for (const message of body.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) if ('cache_control' in block && block.cache_control) (marked ??= []).push(block);
  }
  if (marked === undefined) return;
  for (let i = 0; i < marked.length - left; i++) delete marked[i]!.cache_control;
}
