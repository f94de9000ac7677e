import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['1500', 1500],
    ['0', 0],
    [' 2m ', 120_000],
    ['0.0005h', 1800],
    ['1.4ms', 1],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'm', '-1s', '10 minutes', '1e3', '10d', 'abc', '1.2.3s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats for people', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_500)).toBe('12.5 s');
    expect(formatDuration(600_000)).toBe('10 min');
    expect(formatDuration(7_200_000)).toBe('2 h');
  });
});
