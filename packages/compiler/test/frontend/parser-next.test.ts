import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Parser } from 'yaml';
import { replicaMatches, withoutTokenLog } from '../../src/yaml/parser-next.js';

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
