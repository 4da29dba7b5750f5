import type OpenAI from 'openai';
import type { Attachment, EngineRequest, UserMessage } from '../types.js';
import { checkAttachment, dataUrl, documentMediaType, effortOf, plainText, unsupportedContent } from '../shared/media.js';

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type UserPart = OpenAI.Chat.Completions.ChatCompletionContentPart;

/** One attachment as a Chat Completions content part: `image_url` (URL or data URL), `file` (PDF data), or text. */
function attachmentPart(part: Attachment, index: number): UserPart {
  checkAttachment('openai', part);
  const { source } = part;
  if (part.type === 'image') return { type: 'image_url', image_url: { url: source.kind === 'url' ? source.url : dataUrl(source) } };
  if (source.kind === 'url') {
    throw unsupportedContent('openai', 'Chat Completions takes a PDF as file data, not by URL: pass the document as a local file or a `data:` URL');
  }
  if (documentMediaType(source) === 'text/plain') {
    return { type: 'text', text: part.title !== undefined ? `${part.title}\n\n${plainText(source)}` : plainText(source) };
  }
  return { type: 'file', file: { filename: part.title ?? `document-${index + 1}.pdf`, file_data: dataUrl(source) } };
}

/** A user turn: plain `content` text, or parts (attachments in order, then the text) when it has attachments. */
export function userContent(message: UserMessage): string | UserPart[] {
  if (!message.attachments || message.attachments.length === 0) return message.content;
  const parts = message.attachments.map(attachmentPart);
  if (message.content !== '') parts.push({ type: 'text', text: message.content });
  return parts;
}

/**
 * `reasoning` -> `reasoning_effort` (a budget alone is mapped to a level, see `effortOf`).
 * Reasoning models take no sampling temperature, so `temperature` is not sent with reasoning.
 * Cache marks need nothing: OpenAI caches long prefixes by itself and reports the cached tokens.
 */
export function applyReasoning(body: Params, request: EngineRequest): void {
  if (request.reasoning === undefined) return;
  body.reasoning_effort = effortOf(request.reasoning);
  delete body.temperature;
}
