export { chunkText } from './chunk-text.js';
export type { Chunk, ChunkOptions } from './chunk-text.js';
export { estimateTokens } from './estimate.js';
export { CHUNK_TEXT_TOOL, runChunkTextTool } from './chunk-tool.js';
