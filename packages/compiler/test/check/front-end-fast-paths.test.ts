import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Pair, parseDocument, type Scalar, visit } from 'yaml';
import { checkText, findApiKey } from '@sdl/compiler';
import { plainValue } from '../../src/yaml/plain-value.js';
import { createCheckContext } from '../../src/check/context.js';
import { secretCandidates } from '../../src/check/secret-text.js';
import { expectSame, yamlFiles } from '../frontend/helpers.js';
import { checkSecrets, entropy, KEY_PATTERNS } from '../../src/check/secrets.js';
import { SourceFile } from '../../src/source/source-file.js';
import { parseSkill } from '../../src/yaml/parse.js';
import type { Diagnostic } from '@sdl/compiler';
import { walkNodes } from '../../src/yaml/walk.js';

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The detector without its pre-filter: every pattern (the detector's own list) tried on every string.
function referenceFindApiKey(text: string): { match: string; index: number; provider?: string } | undefined {
  for (const { provider, pattern } of KEY_PATTERNS) {
    const m = pattern.exec(text);
    if (m) return { match: m[0], index: m.index, provider };
  }
  for (const m of text.matchAll(/[A-Za-z0-9+/=_-]{32,}/g)) {
    const token = m[0];
    if (/[a-z]/.test(token) && /[A-Z]/.test(token) && /[0-9]/.test(token) && entropy(token) >= 4.2) return { match: token, index: m.index };
  }
  return undefined;
}

describe('findApiKey pre-filter', () => {
  it('finds exactly what trying every pattern finds', () => {
    const next = rng(42);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const prefixes = ['sk-ant-', 'sk-', 'sk-proj-', 'AKIA', 'ASIA', 'AIza', 'ghp_', 'gho_', 'xoxb-', 'xoxp-', ''];
    const alphabets = ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 'aB3xY9_-', 'aZ09+/=', ' .,:\n\t{}"é😀'];
    let found = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const parts = 1 + Math.floor(next() * 4);
      for (let p = 0; p < parts; p++) {
        text += pick(prefixes);
        const alphabet = pick(alphabets);
        const length = Math.floor(next() * 48);
        for (let k = 0; k < length; k++) text += alphabet[Math.floor(next() * alphabet.length)];
        if (next() < 0.5) text += pick([' ', '.', '\n', '"', '@']);
      }
      const expected = referenceFindApiKey(text);
      if (expected) found++;
      expect(findApiKey(text), JSON.stringify(text)).toEqual(expected);
    }
    // The generator must exercise both outcomes, or the comparison says little.
    expect(found).toBeGreaterThan(1000);
  });

  it('keeps the shortest keys (a 15-character Slack token) and the runs just below it', () => {
    expect(findApiKey('xoxb-1234567890')?.provider).toBe('Slack');
    expect(findApiKey('xoxb-123456789')).toBeUndefined();
    expect(findApiKey('say xoxb-1234567890 now')).toEqual(referenceFindApiKey('say xoxb-1234567890 now'));
  });
});

describe('walkNodes', () => {
  const sources = [
    'a: 1\nb: [x, y: z, { c: d }]\n? [k1, k2]\n: v\n~: null-key\n',
    'base: &b { p: 1, q: [2, 3] }\nuse: *b\nlist:\n  - - nested\n    - { deep: { er: est } }\n  - !!str tagged\n',
    'steps:\n  - id: s\n    prompt: { user: "{{ x }}" }\n    with: { a: b }\n? { complex: key }\n: 1\n',
    '[a, b, c]\n',
    'plain scalar\n',
    '',
  ];
  it.each(sources)('calls pairs and scalars in the order yaml visit does: %j', (text) => {
    const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
    const expected: unknown[] = [];
    visit(document, { Pair: (_, pair) => void expected.push(pair), Scalar: (_, scalar) => void expected.push(scalar) });
    const actual: unknown[] = [];
    walkNodes(document.contents, { pair: (pair: Pair<unknown, unknown>) => void actual.push(pair), scalar: (scalar: Scalar) => void actual.push(scalar) });
    expect(actual.length).toBe(expected.length);
    actual.forEach((node, i) => expect(node).toBe(expected[i]));
  });
});

const OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: true } as const;

describe('plainValue', () => {
  const cases = [
    'a: 1\nb: [x, 2.5, true, null, ~, "s", \'t\']\nc: { d: { e: [] } }\n',
    '__proto__: { polluted: true }\ntoString: 1\nconstructor: [1]\n',
    'a: 1\na: 2\nb: 3\n',
    '1: one\ntrue: yes\n0x1f: hex\n1.5: float\n.inf: inf\n',
    'k:\n- \n- a\n-\n',
    '? a\n: 1\n? b\n',
    'text: |\n  line one\n  line two\nfolded: >-\n  x\n  y\n',
    '[a: b, c]\n',
    '- just\n- a list\n',
    'scalar root\n',
    Array.from({ length: 120 }, () => '[').join('') + Array.from({ length: 120 }, () => ']').join('') + '\n',
    // Cases toJS must handle: plainValue leaves them.
    'a: &x [1, 2]\nb: *x\n',
    '<<: { a: 1 }\nb: 2\n',
    '%YAML 1.1\n---\n<<: { a: 1 }\nb: 2\nd: 2001-12-14\ns: !!set { a, b }\no: !!omap [ a: 1 ]\n',
    '? [a, b]\n: c\n',
    '~: x\n',
  ];
  it.each(cases)('builds what toJS builds, or leaves the document to it: %j', (text) => {
    const document = parseDocument(text, OPTIONS);
    const fast = plainValue(document.contents);
    if (fast) expectSame(fast.value, document.toJS({ maxAliasCount: 100 }));
  });

  it('handles the plain cases itself and leaves aliases, merge keys and tagged collections', () => {
    const handled = cases.map((text) => plainValue(parseDocument(text, OPTIONS).contents) !== undefined);
    expect(handled).toEqual([true, true, true, true, true, true, true, true, true, true, false, false, false, false, false, false]);
  });

  it.each(['? [a, b]\n: c\n', '~: x\n', 'null: x\n', '? \n: v\n', 'a:\n  - ? { b: c }\n    : d\n', ': v\n'])('leaves documents with keys checkKeys reports: %j', (text) => {
    expect(plainValue(parseDocument(text, OPTIONS).contents)).toBeUndefined();
    expect(checkText(text).diagnostics.map((d) => d.code)).toContain('SDL1010');
  });

  it('builds what toJS builds for every YAML file of the repository', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const files = yamlFiles(root);
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const document = parseDocument(readFileSync(file, 'utf8'), OPTIONS);
      const fast = plainValue(document.contents);
      if (!fast) continue;
      let expected: unknown;
      try {
        expected = document.toJS({ maxAliasCount: 100 });
      } catch {
        throw new Error(`${file}: plainValue built a value where toJS throws`);
      }
      expectSame(fast.value, expected, file);
    }
  });
});

describe('secret-named fields', () => {
  const names = [
    'api_key', 'api-key', 'apikey', 'APIKEY', 'Api_Key', 'secret', 'SECRET', 'secret_key', 'secret-key', 'secretkey', 'client_secret', 'client-secret',
    'clientsecret', 'password', 'PASSWORD', 'passwd', 'access_token', 'accesstoken', 'auth_token', 'authtoken', 'bearer_token', 'Bearer-Token',
    'bearertoken', 'private_key', 'privatekey', 'PRIVATE-KEY',
  ];
  it.each(names)('%s holding a value is reported', (name) => {
    expect(checkText(`config:\n  ${name}: hunter2\n`).diagnostics.filter((d) => d.code === 'SDL3012')).toHaveLength(1);
  });
  it.each(['key', 'apikeys', 'my_password', 'secret_keys', 'token', 'passwords', 'private_key_id'])('%s is not a secret field', (name) => {
    expect(checkText(`config:\n  ${name}: hunter2\n`).diagnostics.filter((d) => d.code === 'SDL3012')).toHaveLength(0);
  });
});

describe('the secret candidates the parser lists', () => {
  /** checkSecrets on the parsed file, and on the same file with a fresh document (so it walks every node). */
  function both(text: string): { marked: boolean; fast: Diagnostic[]; walked: Diagnostic[] } {
    const parsed = parseSkill(new SourceFile('s.skill.yaml', text));
    const root = parsed.contents;
    const candidates = root !== null && typeof root === 'object' ? secretCandidates(root) : undefined;
    const marked = candidates !== undefined && candidates.length === 0;
    const fast: Diagnostic[] = [];
    checkSecrets(createCheckContext(parsed, fast));
    const walked: Diagnostic[] = [];
    const document = parseDocument(text, OPTIONS);
    checkSecrets(createCheckContext({ ...parsed, document, contents: document.contents }, walked));
    return { marked, fast, walked };
  }

  it.each([
    ['config:\n  api_key: hunter2\n', false],
    ['steps:\n  - prompt: { user: "use sk-ant-api03-Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n" }\n', false],
    ['tests:\n  - replies: [a, [b, AKIAIOSFODNN7EXAMPLE]]\n', false],
    ['AKIAIOSFODNN7EXAMPLE: key as a key\n', false],
    ['token: xoxb-1234567890\n', false],
    ['a: Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg\n', false],
    ['password: ""\nname: x\ndescription: plain prose, nothing secret\n', false],
    ['name: x\ndescription: plain prose, nothing secret\nlist: [1, two, { three: 3 }]\n', true],
    ['engines: { models: { claude: claude-sonnet-5, cohere: command-a-plus-05-2026 } }\n', false],
    ['api_key: AKIAIOSFODNN7EXAMPLE\nAKIAIOSFODNN7EXAMPLF: [secret, { password: AKIAIOSFODNN7EXAMPLG }]\nx: "sk-ant-api03-Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n"\n', false],
  ] as const)('report what the full walk reports: %j', (text, free) => {
    const { marked, fast, walked } = both(text);
    expect(marked).toBe(free);
    expect(fast).toEqual(walked);
    // The crafted files with a secret in them must report it.
    if (/hunter2|AKIA|sk-ant|xoxb|Zm9v/.test(text)) expect(fast.length).toBeGreaterThan(0);
  });

  it('report what the full walk reports for every YAML file of the repository', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    let free = 0;
    for (const file of yamlFiles(root)) {
      const { marked, fast, walked } = both(readFileSync(file, 'utf8'));
      if (marked) free++;
      expect(fast, file).toEqual(walked);
    }
    expect(free).toBeGreaterThan(10);
  });
});
