import { describe, expect, it } from 'vitest';
import { FUNCTION_SIGNATURES, GLOBAL_FUNCTIONS, MEMBER_FUNCTIONS } from '../../src/index.js';

describe('FUNCTION_SIGNATURES', () => {
  it('documents every global and member function the evaluator has, and nothing it lacks', () => {
    const documented = (style: string) => FUNCTION_SIGNATURES.filter((s) => s.style === style).map((s) => s.name).sort();
    expect(documented('global')).toEqual([...GLOBAL_FUNCTIONS.keys()].sort());
    expect(documented('member')).toEqual([...MEMBER_FUNCTIONS.keys()].sort());
    expect(documented('macro')).toEqual(['all', 'exists', 'exists_one', 'filter', 'has', 'map']);
  });

  it('gives each entry at least one form naming the function, and a sentence', () => {
    for (const s of FUNCTION_SIGNATURES) {
      expect(s.forms.length).toBeGreaterThan(0);
      for (const form of s.forms) expect(form).toContain(`${s.name}(`);
      expect(s.doc).toMatch(/\.$/);
    }
  });
});
