import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Parser } from 'yaml';
import { loadGeneratedModule } from '../../src/util/generated-module.js';
import { replicaMatches, replicaMatchesFor, tokenText, withoutTokenLog } from '../../src/yaml/parser-next.js';

/** The token stream of `text` from yaml's parser, as JSON (tokens hold only plain data). */
function tokens(text: string, replica: boolean): string {
  const parser = new Parser();
  if (replica) withoutTokenLog(parser);
  return JSON.stringify([...parser.parse(text)]);
}

const skillsDir = new URL('../../../../skills/', import.meta.url);

describe("the replica of yaml's Parser#next (no LOG_TOKENS read per token)", () => {
  it('is in use with the pinned yaml version', () => {
    // Fails after a yaml upgrade changes Parser#next: bring the replica up to date (the library's method runs meanwhile).
    expect(replicaMatches).toBe(true);
  });

  it("is in use with the build's one-file copy of yaml, which the compiler's bundle runs", () => {
    // esbuild re-indents and re-quotes the copy's code: a hash of the text as written never matched it.
    const copy = loadGeneratedModule(fileURLToPath(new URL('../../generated/yaml.cjs', import.meta.url))).exports as { exports: { Parser: typeof Parser } };
    expect(copy.exports.Parser.prototype.next.toString(), 'the copy holds the method as esbuild writes it').not.toBe(Parser.prototype.next.toString());
    expect(replicaMatchesFor(copy.exports.Parser), 'run `npm run build`').toBe(true);
  });

  const same = [
    ['re-indented', 'f(a) {\n    if (a)\n        return 1;\n}', 'f(a) {\n  if (a)\n    return 1;\n}'],
    ['single and double quotes', "x === 'a\"b' || y === 'it\\'s'", 'x === "a\\"b" || y === "it\'s"'],
    ['comments dropped', 'a(); // note\n/* more */ b();', 'a();\nb();'],
  ] as const;
  it.each(same)('tokenText: %s give the same text', (_, a, b) => {
    expect(tokenText(a)).toBe(tokenText(b));
  });

  const different = [
    ['a changed name', 'this.indent += 1', 'this.indnt += 1'],
    ['a changed string', "source[0] === ' '", "source[0] === ''"],
    ['words kept apart', 'return x', 'returnx'],
    ['a changed template', '`a ${b}`', '`a${b}`'],
  ] as const;
  it.each(different)('tokenText: %s give different texts', (_, a, b) => {
    expect(tokenText(a)).not.toBe(tokenText(b));
  });

  it('gives the token stream of the library on every example skill', () => {
    const files = readdirSync(skillsDir).filter((f) => f.endsWith('.skill.yaml'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(new URL(f, skillsDir), 'utf8');
      expect(tokens(text, true)).toBe(tokens(text, false));
    }
  });

  it('gives the token stream of the library on any YAML-like text', () => {
    const piece = fc.constantFrom('a', 'key', ':', ': ', ' ', '  ', '\n', '\r\n', '\t', '-', '- ', '[', ']', '{', '}', ',', '"', "'", '|', '>', '#', '&x', '*x', '!', '?', '---', '...', '%YAML 1.2', '\\', '{{ x }}', 'é', '\u{1F600}');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        expect(tokens(text, true)).toBe(tokens(text, false));
      }),
      { numRuns: 500, seed: 14 },
    );
  });
});
