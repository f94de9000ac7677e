import { describe, expect, it } from 'vitest';
import { dtmfFrequencies, isDtmfTone, KEYPAD, toneOfKey } from './dtmf.js';

describe('DTMF', () => {
  it('the keypad has the twelve telephone keys, every one a tone', () => {
    expect(KEYPAD.flat().join('')).toBe('123456789*0#');
    expect(KEYPAD.flat().every(isDtmfTone)).toBe(true);
  });

  it.each([
    ['1', [697, 1209]],
    ['5', [770, 1336]],
    ['9', [852, 1477]],
    ['*', [941, 1209]],
    ['0', [941, 1336]],
    ['#', [941, 1477]],
    ['A', [697, 1633]],
    ['d', [941, 1633]],
  ])('%s sounds at %j Hz (ITU-T Q.23)', (tone, f) => {
    expect(dtmfFrequencies(tone)).toEqual(f);
  });

  it.each(['', '12', 'E', 'x', ' ', ',', 'R'])('%j is not one tone', (t) => {
    expect(isDtmfTone(t)).toBe(false);
    expect(dtmfFrequencies(t)).toBeUndefined();
  });

  it('keyboard keys: digits, * and # are tones; letters and others stay keys', () => {
    expect(['0', '7', '*', '#'].map(toneOfKey)).toEqual(['0', '7', '*', '#']);
    expect(['a', 'A', 'Enter', ' ', 'F1'].map(toneOfKey)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
