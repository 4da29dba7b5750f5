/**
 * The chunking helper as a built-in tool, so skills can call it like a host tool (a `tool:` step
 * or a model tool call) without the host registering anything.
 */
import type { JsonValue, ToolDefinition } from '@sdl/adapters';
import { chunkText } from './chunk-text.js';

/** Bounds on untrusted arguments: the helper runs inside the runtime process. */
const MAX_TEXT_LENGTH = 10_000_000;

/** The tool's declaration (name `sdl_chunk_text`). */
export const CHUNK_TEXT_TOOL: ToolDefinition = {
  name: 'sdl_chunk_text',
  description:
    'Split a long text into chunks of at most max_tokens estimated tokens, overlapping by overlap_tokens, ' +
    'preferring paragraph, then sentence, then word boundaries.',
  parameters: {
    type: 'object',
    required: ['text', 'max_tokens'],
    additionalProperties: false,
    properties: {
      text: { type: 'string', maxLength: MAX_TEXT_LENGTH },
      max_tokens: { type: 'integer', minimum: 1 },
      overlap_tokens: { type: 'integer', minimum: 0, default: 0 },
    },
  },
};

/**
 * Runs the tool on already schema-validated arguments; returns
 * `{ chunks: [{ index, text, start, end, tokens }], count }`. Argument errors throw `RangeError`.
 */
export function runChunkTextTool(args: { [key: string]: JsonValue }): { [key: string]: JsonValue } {
  const text = args.text;
  if (typeof text !== 'string') throw new RangeError('text must be a string');
  if (text.length > MAX_TEXT_LENGTH) throw new RangeError(`text is longer than ${MAX_TEXT_LENGTH} characters`);
  const chunks = chunkText(text, {
    maxTokens: args.max_tokens as number,
    overlapTokens: (args.overlap_tokens as number | undefined) ?? 0,
  });
  return { chunks: chunks.map((c) => ({ ...c })), count: chunks.length };
}
