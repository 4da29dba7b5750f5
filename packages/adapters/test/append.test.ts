import { describe, expect, it } from 'vitest';
import { append } from '../src/shared/append.js';

describe('append', () => {
  it('makes a new array of one from an empty list, and pushes onto a list that has items', () => {
    const empty: number[] = [];
    const one = append(empty, 1);
    expect(one).toEqual([1]);
    expect(one).not.toBe(empty);
    expect(empty).toEqual([]);
    const two = append(one, 2);
    expect(two).toBe(one);
    expect(two).toEqual([1, 2]);
  });
});
