import type { Cohere } from 'cohere-ai';
import type { AssistantMessage, Attachment, EngineRequest, UserMessage } from '../types.js';
import { budgetOf, checkAttachment, dataUrl, documentMediaType, plainText, unsupportedContent } from '../shared/media.js';

/**
 * A user turn for `/v2/chat`: plain text, or content items (`image_url` items, then the text) when it
 * has images. Text documents go to the request's `documents` (what Cohere grounds and cites from);
 * PDFs are refused: Cohere's chat takes no PDF (models.json gives no Cohere model the `pdf` feature).
 */
export function userContent(message: UserMessage, documents: Cohere.V2ChatRequestDocumentsItem[]): Cohere.UserMessageV2Content {
  const parts: Cohere.Content[] = [];
  for (const part of message.attachments ?? []) {
    checkAttachment('cohere', part);
    if (part.type === 'image') {
      parts.push({ type: 'image_url', imageUrl: { url: part.source.kind === 'url' ? part.source.url : dataUrl(part.source) } });
    } else documents.push(textDocument(part, documents.length));
  }
  if (parts.length === 0) return message.content;
  if (message.content !== '') parts.push({ type: 'text', text: message.content });
  return parts;
}

/**
 * An assistant turn's text: in `tool_plan` when it came with tool calls (as Cohere's own responses put
 * it), else `content`. Cohere's own thinking goes back as `thinking` content items before the text;
 * reasoning from another provider is dropped.
 */
export function assistantContent(message: AssistantMessage): Pick<Cohere.AssistantMessage, 'content' | 'toolPlan'> {
  const calls = message.toolCalls ?? [];
  const thinking: Cohere.AssistantMessageV2ContentOneItem[] = (message.reasoning ?? [])
    .filter((p) => p.provider === 'cohere' && p.text !== '')
    .map((p) => ({ type: 'thinking', thinking: p.text }));
  const out: Pick<Cohere.AssistantMessage, 'content' | 'toolPlan'> = {};
  if (message.content !== '' && calls.length > 0) out.toolPlan = message.content;
  const text: Cohere.AssistantMessageV2ContentOneItem[] = message.content !== '' && calls.length === 0 ? [{ type: 'text', text: message.content }] : [];
  if (thinking.length > 0) out.content = [...thinking, ...text];
  else if (text.length > 0) out.content = message.content;
  return out;
}

function textDocument(part: Extract<Attachment, { type: 'document' }>, index: number): Cohere.Document {
  if (part.source.kind === 'url' || documentMediaType(part.source) !== 'text/plain') {
    throw unsupportedContent('cohere', 'Cohere chat takes no PDF documents; pass the text (`text/plain`) or run the step on an engine with the `pdf` feature');
  }
  return { id: `doc_${index}`, data: { ...(part.title !== undefined ? { title: part.title } : {}), snippet: plainText(part.source) } };
}

/**
 * `reasoning` -> `thinking: {type: enabled, token_budget}` (an effort alone is mapped to a budget, see
 * `budgetOf`). Cache marks need nothing: Cohere does not take cache breakpoints.
 */
export function applyReasoning(body: Cohere.V2ChatRequest, request: EngineRequest): void {
  if (request.reasoning === undefined) return;
  body.thinking = { type: 'enabled', tokenBudget: budgetOf(request.reasoning) };
}
