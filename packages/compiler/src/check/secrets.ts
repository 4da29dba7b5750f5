import { isPair, isScalar, type Node, type Pair, type Scalar } from 'yaml';
import type { SourceFile } from '../source/source-file.js';
import { rangeOfNode } from '../yaml/ranges.js';
import { walkNodes } from '../yaml/walk.js';
import type { Check } from './context.js';
import { hasTokenRun, MIN_MATCH_LENGTH, maybeSecretField, SECRET_FIELD, secretCandidates } from './secret-text.js';

/** Provider key formats: a match anywhere in a string value is an error. */
export const KEY_PATTERNS: { provider: string; pattern: RegExp }[] = [
  { provider: 'Anthropic', pattern: /sk-ant-[A-Za-z0-9_-]{16,}/ },
  { provider: 'OpenAI', pattern: /sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}/ },
  { provider: 'AWS', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { provider: 'Google', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { provider: 'GitHub', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { provider: 'Slack', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
];

const TOKEN = /[A-Za-z0-9+/=_-]{32,}/g;

/** Bits of Shannon entropy per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/**
 * A substring that looks like a credential: a known provider format, or a long random-looking
 * token (mixed case and digits, high entropy; hex ids and prose do not qualify).
 */
export function findApiKey(text: string): { match: string; index: number; provider?: string } | undefined {
  if (!hasTokenRun(text, MIN_MATCH_LENGTH)) return undefined;
  for (const { provider, pattern } of KEY_PATTERNS) {
    const m = pattern.exec(text);
    if (m) return { match: m[0], index: m.index, provider };
  }
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    if (/[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token) && entropy(token) >= 4.2) return { match: token, index: m.index };
  }
  return undefined;
}

function rangeOfMatch(source: SourceFile, node: Scalar, match: string) {
  const [start, end] = node.range ?? [0, 0];
  const at = source.text.slice(start, end).indexOf(match);
  return at >= 0 ? source.rangeAt(start + at, start + at + match.length) : rangeOfNode(source, node);
}

const HINT = 'keys belong in the host\'s engine configuration (sdl.config.yaml, e.g. `api_key: "${env:ANTHROPIC_API_KEY}"`), never in a skill file; revoke this key if it was ever committed';

/** API keys and other credentials anywhere in a skill file (keys, values, prompts, tests) are errors. */
export const checkSecrets: Check = ({ parsed, reportAt }) => {
  const { source, contents } = parsed;
  const flagged = new Set<Node>();
  const walker = {
    pair(pair: Pair<unknown, unknown>) {
      if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value)) return;
      const name = String(pair.key.value);
      const value = pair.value.value;
      if (maybeSecretField(name) && SECRET_FIELD.test(name) && typeof value === 'string' && value.trim() !== '') {
        flagged.add(pair.value);
        reportAt('SDL3012', rangeOfNode(source, pair.key), `\`${name}\` holds a credential; a skill file must not contain secrets`, HINT);
      }
    },
    scalar(node: Scalar) {
      if (typeof node.value !== 'string' || (flagged.size > 0 && flagged.has(node))) return;
      const found = findApiKey(node.value);
      if (!found) return;
      const what = found.provider ? `${/^[AEIOU]/.test(found.provider) ? 'an' : 'a'} ${found.provider} API key` : 'a secret token';
      reportAt('SDL3011', rangeOfMatch(source, node, found.match), `this string looks like ${what}`, HINT);
    },
  };
  // The parser lists, in walk order, the only pairs and scalars where the walk could find anything.
  const candidates = contents !== null && typeof contents === 'object' ? secretCandidates(contents) : undefined;
  if (candidates) for (const node of candidates) isPair(node) ? walker.pair(node) : walker.scalar(node);
  else walkNodes(contents, walker);
};
