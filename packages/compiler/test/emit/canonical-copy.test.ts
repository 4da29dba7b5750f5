import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalText } from '../../src/deps/hash.js';
import type { IrSkill } from '../../src/emit/ir-types.js';
import { canonicalCopy, hashSkill, skillText } from '../../src/emit/skill-text.js';

/** JSON-like values with the cases the copy must get right: undefined members, `__proto__` and digit keys, shared subtrees. */
const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', '0', '10', '9', '1a', 'a', 'b', 'hash'));
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
  member: fc.oneof({ weight: 5, arbitrary: tie('node') }, { weight: 1, arbitrary: fc.constant(undefined) }),
  object: fc.array(fc.tuple(key, tie('member')), { maxLength: 5 }).map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('object'), fc.array(tie('node'), { maxLength: 4 })),
}));

describe('canonicalCopy', () => {
  it('serializes to the canonical JSON of the value, natively whenever it says canonical', () => {
    fc.assert(
      fc.property(value.node, (v) => {
        const expected = canonicalJson(v);
        const { copy, canonical } = canonicalCopy(v);
        expect(canonicalText(copy)).toBe(expected);
        if (canonical) expect(JSON.stringify(copy)).toBe(expected);
        // The value itself is left as it was.
        expect(canonicalJson(v)).toBe(expected);
      }),
      { numRuns: 2000, seed: 14 },
    );
  });

  it('keeps subtrees already in canonical order and copies the ones out of order', () => {
    const sorted = { a: 1, b: { c: [1, 2], d: null } };
    const unsorted = { z: 1, a: 2 };
    const { copy } = canonicalCopy({ x: sorted, y: unsorted, anchors: [[0, 1, 2]] });
    expect(copy.x).toBe(sorted);
    expect(copy.y).not.toBe(unsorted);
    expect(Object.keys(copy.y)).toEqual(['a', 'z']);
    expect(Object.keys(copy)).toEqual(['anchors', 'x', 'y']);
  });

  it('drops undefined members even where the keys are in order', () => {
    const { copy } = canonicalCopy({ a: 1, b: undefined, c: { d: undefined } });
    expect(copy).toStrictEqual({ a: 1, c: {} });
  });
});

describe('hashSkill of a canonical skill (one stringify of the whole skill)', () => {
  const member = fc.constantFrom('a', 'description', 'file', 'hasg', 'hashes', 'id', 'z', 'engines');
  it('gives the hash and text of the member-by-member path', () => {
    fc.assert(
      fc.property(fc.dictionary(member, value.node, { maxKeys: 6 }), (members) => {
        const whole = canonicalCopy({ ...members, hash: '' }).copy as unknown as IrSkill;
        const byMember = canonicalCopy({ ...members, hash: '' }).copy as unknown as IrSkill;
        if (!canonicalCopy(members).canonical) return;
        expect(hashSkill(whole, undefined, true)).toBe(hashSkill(byMember, undefined, false));
        expect(skillText(whole)).toBe(skillText(byMember));
        expect(JSON.parse(skillText(whole))).toStrictEqual(JSON.parse(JSON.stringify(byMember)));
      }),
      { numRuns: 1000, seed: 14 },
    );
  });
});
