import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../src/util/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['text', 'txt', 1],
    ['description', 'descripton', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3],
  ])('%j ~ %j = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closestMatch', () => {
  it('suggests a near miss', () => {
    expect(closestMatch('descripton', ['name', 'description', 'version'])).toBe('description');
    expect(closestMatch('txt', ['text', 'language'])).toBe('text');
  });
  it('ignores case when comparing', () => {
    expect(closestMatch('Name', ['name'])).toBe('name');
  });
  it('offers nothing when every candidate is far off', () => {
    expect(closestMatch('zzzzzz', ['name', 'description'])).toBeUndefined();
  });
  it('formats the hint', () => {
    expect(didYouMean('vesion', ['version'])).toBe('did you mean `version`?');
  });
});
