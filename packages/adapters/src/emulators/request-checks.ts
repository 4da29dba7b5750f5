/**
 * What the emulators check of the request content SDL sends (images, documents, thinking, cache
 * breakpoints), with the messages the providers answer such requests with. Each check returns the
 * attachments it understood, or a string: the validation error the emulator answers 400 with.
 */
import { isObject } from './dialect.js';

/** An image or document of an emulated user turn, as the emulator understood it. */
export interface EmulatorAttachment {
  type: 'image' | 'document';
  mediaType: string;
  /** How the bytes came: fetched from a URL, inline base64, or (Anthropic plain-text documents, Cohere documents) as text. */
  via: 'url' | 'base64' | 'text';
  /** Decoded size (0 for URLs). */
  bytes: number;
  /** Carried a cache breakpoint. */
  cached: boolean;
}

const MAGIC: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8,
  'image/gif': (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 data of a declared media type; a string is what is wrong with it. */
function decode(data: unknown, mediaType: string, where: string): Buffer | string {
  if (typeof data !== 'string' || data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) return `${where}: invalid base64 data`;
  const bytes = Buffer.from(data, 'base64');
  const matches = MAGIC[mediaType];
  if (matches && !matches(bytes)) return `${where}: the data is not a valid ${mediaType} file`;
  return bytes;
}

function httpUrl(url: unknown): boolean {
  return typeof url === 'string' && /^https?:\/\/[^\s/]+/.test(url);
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/** A `data:` URL of an image or PDF, decoded and checked. */
function dataUrl(url: string, allowed: readonly string[], where: string): EmulatorAttachment | string {
  const m = /^data:([\w.+/-]+);base64,(.*)$/s.exec(url);
  if (!m) return `${where}: expected a URL or a base64 data URL`;
  const mediaType = m[1]!;
  if (!allowed.includes(mediaType)) return `${where}: unsupported media type ${mediaType}`;
  const bytes = decode(m[2], mediaType, where);
  if (typeof bytes === 'string') return bytes;
  return { type: mediaType.startsWith('image/') ? 'image' : 'document', mediaType, via: 'base64', bytes: bytes.length, cached: false };
}

/** Anthropic `image` / `document` blocks of a user turn. */
export function anthropicAttachments(blocks: unknown[], where: string): EmulatorAttachment[] | string {
  const out: EmulatorAttachment[] = [];
  for (const [j, b] of blocks.entries()) {
    if (!isObject(b) || (b.type !== 'image' && b.type !== 'document')) continue;
    const at = `${where}.content.${j}.${b.type}.source`;
    const source = isObject(b.source) ? b.source : undefined;
    const cached = isObject(b.cache_control) && b.cache_control.type === 'ephemeral';
    if (!source) return `${at}: Field required`;
    if (source.type === 'url') {
      if (!httpUrl(source.url)) return `${at}.url: Input should be a valid URL`;
      out.push({ type: b.type, mediaType: b.type === 'image' ? 'image/*' : 'application/pdf', via: 'url', bytes: 0, cached });
    } else if (source.type === 'base64') {
      const mediaType = String(source.media_type);
      const allowed = b.type === 'image' ? IMAGE_TYPES : ['application/pdf'];
      if (!allowed.includes(mediaType)) return `${at}.media_type: Input should be ${allowed.map((t) => `'${t}'`).join(', ')}`;
      const bytes = decode(source.data, mediaType, `${at}.data`);
      if (typeof bytes === 'string') return bytes;
      out.push({ type: b.type, mediaType, via: 'base64', bytes: bytes.length, cached });
    } else if (source.type === 'text' && b.type === 'document') {
      if (source.media_type !== 'text/plain' || typeof source.data !== 'string') return `${at}: a text source needs media_type 'text/plain' and string data`;
      out.push({ type: 'document', mediaType: 'text/plain', via: 'text', bytes: Buffer.byteLength(source.data), cached });
    } else return `${at}.type: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags`;
  }
  return out;
}

/** Request-wide Anthropic rules: at most 4 cache breakpoints; extended thinking's budget, temperature and tool_choice constraints. */
export function anthropicRequestProblem(body: Record<string, unknown>): string | undefined {
  let breakpoints = 0;
  const count = (blocks: unknown) => {
    if (Array.isArray(blocks)) for (const b of blocks) if (isObject(b) && isObject(b.cache_control)) breakpoints++;
  };
  count(body.tools);
  count(body.system);
  for (const m of Array.isArray(body.messages) ? body.messages : []) if (isObject(m)) count(m.content);
  if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
  const thinking = isObject(body.thinking) ? body.thinking : undefined;
  if (thinking === undefined || thinking.type === 'disabled') return undefined;
  if (thinking.type === 'enabled') {
    if (typeof thinking.budget_tokens !== 'number' || thinking.budget_tokens < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (typeof body.max_tokens === 'number' && body.max_tokens <= thinking.budget_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  } else if (thinking.type !== 'adaptive') return `thinking.type: Input tag '${String(thinking.type)}' does not match any of the expected tags`;
  if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled';
  const choice = isObject(body.tool_choice) ? body.tool_choice.type : undefined;
  if (choice === 'any' || choice === 'tool') return 'Thinking may not be enabled when tool_choice forces tool use.';
  return lastToolTurnProblem(Array.isArray(body.messages) ? body.messages : []);
}

/**
 * With thinking on, the assistant turn that made the pending tool calls must open with its signed
 * thinking block, unchanged (the API verifies the signature; the emulator checks one is there).
 */
function lastToolTurnProblem(messages: unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObject(m) || m.role !== 'assistant' || !Array.isArray(m.content)) continue;
    if (!m.content.some((b) => isObject(b) && b.type === 'tool_use')) return undefined;
    const first = m.content[0];
    if (isObject(first) && first.type === 'redacted_thinking' && typeof first.data === 'string') return undefined;
    if (isObject(first) && first.type === 'thinking' && typeof first.signature === 'string' && first.signature !== '') return undefined;
    return `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${isObject(first) ? String(first.type) : 'none'}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns.`;
  }
  return undefined;
}

/** Chat Completions content parts of a user turn: `text`, `image_url` (URL or data URL), `file` (PDF data). */
export function openaiAttachments(content: unknown, where: string): EmulatorAttachment[] | string {
  if (!Array.isArray(content)) return [];
  const out: EmulatorAttachment[] = [];
  for (const [j, p] of content.entries()) {
    const at = `${where}.content[${j}]`;
    if (!isObject(p)) return `Invalid type for '${at}': expected an object`;
    if (p.type === 'text') continue;
    if (p.type === 'image_url') {
      const url = isObject(p.image_url) ? p.image_url.url : undefined;
      if (typeof url !== 'string') return `Missing required parameter: '${at}.image_url.url'.`;
      if (httpUrl(url)) out.push({ type: 'image', mediaType: 'image/*', via: 'url', bytes: 0, cached: false });
      else {
        const found = dataUrl(url, IMAGE_TYPES, `Invalid '${at}.image_url.url'`);
        if (typeof found === 'string') return found;
        out.push(found);
      }
    } else if (p.type === 'file') {
      const file = isObject(p.file) ? p.file : {};
      if (typeof file.file_data !== 'string') return `Missing required parameter: '${at}.file.file_data' (or file_id).`;
      if (typeof file.filename !== 'string' || file.filename === '') return `Missing required parameter: '${at}.file.filename'.`;
      const found = dataUrl(file.file_data, ['application/pdf'], `Invalid '${at}.file.file_data'`);
      if (typeof found === 'string') return found;
      out.push(found);
    } else return `Invalid value: '${String(p.type)}'. Supported values are: 'text', 'image_url', 'input_audio', and 'file'.`;
  }
  return out;
}

/** Request-wide OpenAI rules: a known `reasoning_effort`, and no `temperature` with it. */
export function openaiRequestProblem(body: Record<string, unknown>): string | undefined {
  if (body.reasoning_effort === undefined || body.reasoning_effort === null) return undefined;
  if (!['none', 'minimal', 'low', 'medium', 'high', 'xhigh'].includes(String(body.reasoning_effort))) {
    return `Invalid value: '${String(body.reasoning_effort)}'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'.`;
  }
  if (body.temperature !== undefined && body.temperature !== 1) return "Unsupported parameter: 'temperature' is not supported with reasoning. Only the default (1) value is supported.";
  return undefined;
}

/** Cohere v2 content items of a user turn: `text` and `image_url`. */
export function cohereAttachments(content: unknown, where: string): EmulatorAttachment[] | string {
  if (!Array.isArray(content)) return [];
  const out: EmulatorAttachment[] = [];
  for (const [j, p] of content.entries()) {
    const at = `${where}.content[${j}]`;
    if (!isObject(p)) return `invalid request: ${at} must be an object`;
    if (p.type === 'text') continue;
    if (p.type !== 'image_url') return `invalid request: ${at}.type must be one of text, image_url`;
    const url = isObject(p.image_url) ? p.image_url.url : undefined;
    if (typeof url !== 'string') return `invalid request: ${at}.image_url.url is required`;
    if (httpUrl(url)) out.push({ type: 'image', mediaType: 'image/*', via: 'url', bytes: 0, cached: false });
    else {
      const found = dataUrl(url, IMAGE_TYPES, `invalid request: ${at}.image_url.url`);
      if (typeof found === 'string') return found;
      out.push(found);
    }
  }
  return out;
}

/** Request-wide Cohere rules: `documents` are strings or `{data: {...}}`; `thinking` is enabled/disabled with a positive budget. */
export function cohereRequestProblem(body: Record<string, unknown>): string | undefined {
  if (body.documents !== undefined) {
    if (!Array.isArray(body.documents)) return 'invalid request: documents must be a list';
    for (const [i, d] of body.documents.entries()) {
      if (typeof d !== 'string' && !(isObject(d) && isObject(d.data))) return `invalid request: documents[${i}] must be a string or an object with data`;
    }
  }
  const thinking = isObject(body.thinking) ? body.thinking : undefined;
  if (body.thinking !== undefined && thinking === undefined) return 'invalid request: thinking must be an object';
  if (thinking && thinking.type !== 'enabled' && thinking.type !== 'disabled') return 'invalid request: thinking.type must be one of enabled, disabled';
  if (thinking?.token_budget !== undefined && !(Number.isInteger(thinking.token_budget) && (thinking.token_budget as number) > 0)) {
    return 'invalid request: thinking.token_budget must be a positive integer';
  }
  return undefined;
}

/** Cohere `documents` as attachments of the request (they are request-wide, not per turn). */
export function cohereDocuments(body: Record<string, unknown>): EmulatorAttachment[] {
  return (Array.isArray(body.documents) ? body.documents : []).map((d) => ({
    type: 'document' as const,
    mediaType: 'text/plain',
    via: 'text' as const,
    bytes: Buffer.byteLength(typeof d === 'string' ? d : JSON.stringify(isObject(d) ? d.data : '')),
    cached: false,
  }));
}
