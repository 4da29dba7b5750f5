import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textDeltaEvent, type EventOrigin } from '../../src/run/events.js';

describe('textDeltaEvent', () => {
  it('is the event `{ type, text, ...origin }` would make, keys in the same order (hosts serialize it)', () => {
    const origin = fc.record(
      { skill: fc.string(), path: fc.array(fc.string(), { minLength: 1, maxLength: 3 }), step: fc.string(), index: fc.nat() },
      { requiredKeys: ['skill', 'path', 'step'] },
    );
    fc.assert(
      fc.property(fc.string(), origin, (text, o: EventOrigin) => {
        const spread = { type: 'text-delta', text, ...o };
        const built = textDeltaEvent(text, o);
        expect(Object.keys(built)).toEqual(Object.keys(spread));
        expect(JSON.stringify(built)).toBe(JSON.stringify(spread));
      }),
    );
  });
});
