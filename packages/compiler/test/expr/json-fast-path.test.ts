// fromJson converts without building a path per value and, on any refusal, walks again to say
// where: both walks must agree on what is refused, and accepted values must round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromJson, JsonInputError, toJson } from '@sdl/compiler';

/** The reference: does `json` break a limit anywhere (string length, list length, key count, depth 200)? */
function exceeds(json: unknown, lim: { maxStringLength: number; maxListLength: number }, depth = 0): boolean {
  if (depth > 200) return true;
  if (typeof json === 'string') return json.length > lim.maxStringLength;
  if (Array.isArray(json)) return json.length > lim.maxListLength || json.some((x) => exceeds(x, lim, depth + 1));
  if (json !== null && typeof json === 'object') {
    const values = Object.values(json);
    return values.length > lim.maxListLength || values.some((x) => exceeds(x, lim, depth + 1));
  }
  return false;
}

const json = fc.jsonValue({ maxDepth: 4 }).filter((v) => !JSON.stringify(v).includes('-0') && !Object.is(v, -0));

describe('fromJson fast path', () => {
  it('refuses exactly what breaks a limit (with a located message) and round-trips the rest', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), (value, maxStringLength, maxListLength) => {
        const lim = { maxStringLength, maxListLength };
        let result: unknown;
        let error: unknown;
        try {
          result = fromJson(value, undefined, lim);
        } catch (e) {
          error = e;
        }
        if (exceeds(value, lim)) {
          expect(error).toBeInstanceOf(JsonInputError);
          expect((error as JsonInputError).message).toMatch(/ at \$/);
        } else {
          expect(error).toBeUndefined();
          expect(toJson(result as never)).toEqual(JSON.parse(JSON.stringify(value)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('nests up to 200 levels and refuses 201 at the exact path', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(() => fromJson(deep)).not.toThrow();
    expect(() => fromJson([deep])).toThrow(/nests more than 200 levels deep at \$(\[0\]){201}$/);
  });
});
