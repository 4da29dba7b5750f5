import { readFile } from 'node:fs/promises';
import type { JsonValue } from '../types.js';
import { isObject } from './dialect.js';
import type { EmulatorReply } from './reply.js';

/** A replies file that cannot be used: the message names `file:line:col`, what is wrong and how to fix it. */
export class RepliesFileError extends Error {
  override readonly name = 'RepliesFileError';
}

const KEYS = ['text', 'json', 'tool_calls', 'refusal'];
const FORMAT_HINT = 'each reply is a string (the text) or an object with `text`, `json`, `tool_calls: [{name, arguments}]` or `refusal`';

/** One entry of a replies file as an {@link EmulatorReply}, or the problem with it. */
function toReply(entry: unknown): EmulatorReply | string {
  if (typeof entry === 'string') return { text: entry };
  if (!isObject(entry)) return `a reply must be a string or an object, not ${Array.isArray(entry) ? 'a list' : JSON.stringify(entry)}; ${FORMAT_HINT}`;
  const unknown = Object.keys(entry).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) return `unknown field \`${unknown[0]}\`; ${FORMAT_HINT}`;
  if (!KEYS.some((k) => k in entry)) return `an empty reply; ${FORMAT_HINT}`;
  const reply: EmulatorReply = {};
  if ('text' in entry) {
    if (typeof entry.text !== 'string') return '`text` must be a string';
    reply.text = entry.text;
  }
  if ('json' in entry) reply.json = entry.json as JsonValue;
  if ('refusal' in entry) {
    if (typeof entry.refusal !== 'string') return '`refusal` must be a string';
    reply.refusal = entry.refusal;
  }
  if ('tool_calls' in entry) {
    const calls = entry.tool_calls;
    if (!Array.isArray(calls) || calls.length === 0) return '`tool_calls` must be a non-empty list of `{name, arguments}`';
    reply.toolCalls = [];
    for (const call of calls) {
      if (!isObject(call) || typeof call.name !== 'string' || call.name === '') return 'each tool call needs a `name` (the offered tool to call)';
      if (call.arguments !== undefined && !isObject(call.arguments)) return `the arguments of tool call \`${call.name}\` must be an object`;
      reply.toolCalls.push({ name: call.name, arguments: (call.arguments ?? {}) as { [key: string]: JsonValue } });
    }
  }
  return reply;
}

/**
 * Reads the scripted replies of `skillc emulate --replies <file>`, served in order, one a request.
 * `.jsonl`/`.ndjson`: one reply a line (blank lines skipped); `.json`, `.yaml`, `.yml`: a list of replies.
 * A reply is a string (the text) or `{text?, json?, tool_calls?: [{name, arguments}], refusal?}`.
 *
 * @param file - the path of the replies file
 * @returns the replies in file order
 * @throws RepliesFileError naming `file:line:col` when the file is missing, does not parse or holds a bad reply
 */
export async function readRepliesFile(file: string): Promise<EmulatorReply[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RepliesFileError(`${file}: cannot read the replies file (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}); check the --replies path`);
  }
  if (/\.(jsonl|ndjson)$/i.test(file)) return jsonLines(file, text);
  if (!/\.(json|ya?ml)$/i.test(file)) throw new RepliesFileError(`${file}: unknown replies file type; use .jsonl (one reply a line), .json or .yaml (a list of replies)`);
  const { LineCounter, parseDocument, isSeq } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  const syntax = doc.errors[0];
  if (syntax) throw new RepliesFileError(`${at(syntax.pos[0])}: ${syntax.message.split('\n')[0]}; fix the file's syntax`);
  if (!isSeq(doc.contents)) throw new RepliesFileError(`${at(doc.contents?.range?.[0])}: the replies file must hold a list of replies; ${FORMAT_HINT}`);
  return doc.contents.items.map((node) => {
    const item = node as unknown as { range?: number[]; toJSON(): unknown };
    const reply = toReply(item.toJSON());
    if (typeof reply === 'string') throw new RepliesFileError(`${at(item.range?.[0])}: ${reply}`);
    return reply;
  });
}

function jsonLines(file: string, text: string): EmulatorReply[] {
  const replies: EmulatorReply[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (err) {
      throw new RepliesFileError(`${file}:${i + 1}:1: not valid JSON (${(err as Error).message}); each line holds one reply as JSON`);
    }
    const reply = toReply(entry);
    if (typeof reply === 'string') throw new RepliesFileError(`${file}:${i + 1}:1: ${reply}`);
    replies.push(reply);
  }
  return replies;
}
