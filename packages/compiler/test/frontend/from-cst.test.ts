import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { parseSkill, SourceFile } from '@sdl/compiler';
import { plainValue } from '../../src/yaml/plain-value.js';
import { secretCandidates } from '../../src/check/secret-text.js';
import { YAML_OPTIONS } from '../../src/yaml/parse.js';
import { mayResolve, scalarTags, shortcut } from '../../src/yaml/from-cst.js';
import { expectSame, yamlFiles } from './helpers.js';

/** A node tree as the consumers of positions see it: class, range, scalar type and value, flow. */
function shape(node: unknown): unknown {
  if (isScalar(node)) return { scalar: node.value, type: node.type, range: node.range };
  if (isMap(node) || isSeq(node)) return { [isMap(node) ? 'map' : 'seq']: node.items.map(shape), flow: node.flow === true, range: node.range };
  if (isPair(node)) return { key: shape(node.key), value: shape(node.value) };
  return node;
}

/** Where a secret candidate is: pairs by their key's range, scalars by their own. */
const where = (node: object) => (isPair(node) ? ['pair', (node.key as { range?: unknown }).range] : ['scalar', (node as { range?: unknown }).range]);

/**
 * Parses `text`; when the CST path took it, checks it against the composed document: the composer
 * reports nothing for it, and the value, nodes and secret candidates are the ones the document
 * path gives. Returns whether the CST path took it.
 */
function agrees(text: string): boolean {
  const parsed = parseSkill(new SourceFile('f.skill.yaml', text));
  if (!parsed.fromCst) return false;
  const document = parseDocument(text, YAML_OPTIONS);
  expect(document.errors.map((e) => e.code)).toEqual([]);
  expect(document.warnings.map((e) => e.code)).toEqual([]);
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.ok).toBe(true);
  expectSame(parsed.value, document.toJS());
  expect(shape(parsed.contents)).toStrictEqual(shape(document.contents));
  const plain = plainValue(document.contents);
  expect(plain).toBeDefined();
  expect(secretCandidates(parsed.contents as object)!.map(where)).toEqual(plain!.secretCandidates.map(where));
  // What every other stage reads later is still the composed document, parsed on first read.
  expect(shape(parsed.document.contents)).toStrictEqual(shape(document.contents));
  return true;
}

describe('values and nodes built from the CST', () => {
  it.each([
    'a: 1\nb: [x, 2.5, true, null, ~, "s", \'t\', 0x1f, 0o17, .inf, -.Inf, .nan, 1e3, +12]\nc: { d: { e: [] } }\n',
    '# head\nname: x # trailing\n\n# between\nlist:\n  - a\n  # inside\n  - { k: v, }\n  - [1, 2,]\n# at the end\n',
    '__proto__: { polluted: true }\ntoString: 1\nconstructor: [1]\n',
    '1: one\ntrue: yes\n"quoted key": 2\n\'single\': 3\n1.5: float\n',
    'text: |\n  line one\n    indented\n  line three\nfolded: >-\n  a\n  b\n\n  c\nkeep: |+\n  x\n\n',
    'multi: a plain\n  scalar on two lines\nq: "a \\"quoted\\" \\u00e9 \\\n  continued"\nsq: \'it\'\'s\n  folded\'\n',
    'api_key: AKIAIOSFODNN7EXAMPLE\nAKIAIOSFODNN7EXAMPLF: [secret, { password: AKIAIOSFODNN7EXAMPLG }]\nx: "sk-ant-api03-Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6n"\n',
    'nested:\n  - - a\n    - b\n  - c: 1\n    d: 2\n  -   e: 3\n',
    'flow: { a: [ { b: c } , d ], e: "f" }  # c\nempty: { }\nnone: []\n',
    '- a\n- b\n',
    'plain scalar at the root\n',
  ])('takes and agrees with the document: %j', (text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each([
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    '%YAML 1.2\n---\na: 1\n',
    '---\na: 1\n',
    'a: 1\n---\nb: 2\n',
    '? a\n: 1\n',
    'a: 1\na: 2\n',
    '<<: { a: 1 }\n',
    'a:\n\t- 1\n',
    'a:\n',
    'a: [1, , 2]\n',
    'a: "unclosed\n',
    'a: { b: 1\n',
    '[a, b]: 1\n',
    '~: 1\n',
    '',
    '# only a comment\n',
    'a: 1\n b: 2\n',
    'a: b: c\n',
    'a: "x"#c\n',
  ])('leaves to the composer: %j', (text) => {
    expect(parseSkill(new SourceFile('f.skill.yaml', text)).fromCst).toBeUndefined();
  });

  it('skips the core schema tests only for plain scalars none of them accepts', () => {
    expect(shortcut).toBe(true);
    const tails = ['', 'rue', 'RUE', 'alse', 'ALSE', 'ull', 'ULL', '0', '12', 'o17', 'x1f', '.5', 'e3', '.inf', 'inf', 'Inf', 'INF', 'nan', 'NaN', 'NAN', '5e-3', '.'];
    for (let c = 0; c < 0x3000; c++) {
      for (const tail of tails) {
        const text = String.fromCharCode(c) + tail;
        if (!mayResolve(text)) expect(scalarTags.some((t) => t.test.test(text)), text).toBe(false);
      }
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        if (!mayResolve(text)) expect(scalarTags.some((t) => t.test.test(text))).toBe(false);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it('agrees with the document on every YAML file of the repository', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    let taken = 0;
    for (const file of yamlFiles(root)) if (agrees(readFileSync(file, 'utf8'))) taken++;
    expect(taken).toBeGreaterThan(20);
  });

  it('agrees with the document, or leaves the file to it, after random edits of skill files', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const texts = yamlFiles(root)
      .filter((f) => f.endsWith('.skill.yaml'))
      .slice(0, 40)
      .map((f) => readFileSync(f, 'utf8'));
    expect(texts.length).toBeGreaterThan(5);
    const piece = fc.constantFrom('\t', ' ', '  ', '\n', ':', ': ', '#', ' #', '-', '- ', '&a ', '*a', '!', '"', "'", '[', ']', '{', '}', ',', '?', '|', '>', '~', '0x1', '.5', 'null', '<<', 'key: v', '\\', '---\n', '...\n');
    let taken = 0;
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), piece, fc.nat(3)), { minLength: 1, maxLength: 3 }), (which, edits) => {
        let text = texts[which]!;
        for (const [at, insert, cut] of edits) {
          const offset = Math.floor(at * text.length);
          text = text.slice(0, offset) + insert + text.slice(offset + cut);
        }
        if (agrees(text)) taken++;
      }),
      { numRuns: 400, seed: 20261203 },
    );
    // Many edits leave a valid plain file (a space inside a value, a character of prose).
    expect(taken).toBeGreaterThan(40);
  });
});
