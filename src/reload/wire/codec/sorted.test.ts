import { describe, expect, it } from 'vitest';
import { itself, lowerBound, upperBound } from './sorted.js';

describe('lowerBound and upperBound', () => {
  const sorted = [1, 3, 3, 3, 7];
  it.each([
    [0, 0, 0],
    [1, 0, 1],
    [2, 1, 1],
    [3, 1, 4],
    [5, 4, 4],
    [7, 4, 5],
    [9, 5, 5],
  ])('for %d: first at least at %d, first above at %d', (target, lower, upper) => {
    expect(lowerBound(sorted, itself, target)).toBe(lower);
    expect(upperBound(sorted, itself, target)).toBe(upper);
  });

  it('an empty array gives 0; keys may be strings or bigints read through a key function', () => {
    expect(upperBound([], itself, 5)).toBe(0);
    expect(upperBound(['0a', '0b', '0c'], itself, '0b')).toBe(2);
    expect(lowerBound([{ d: 1n }, { d: 5n }], (e) => e.d, 5n)).toBe(1);
  });
});
