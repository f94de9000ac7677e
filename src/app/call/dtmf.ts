/**
 * DTMF keypad rules (issue 7): which keys are tones, the key a keyboard press stands for, and the
 * two frequencies of each tone (ITU-T Q.23) for the local feedback beep. Tones go out as SIP INFO
 * (application/dtmf-relay), JsSIP's default; JsSIP accepts 0-9, A-D, * and #.
 */

/** The keypad, row by row, as on a telephone. */
export const KEYPAD: readonly (readonly string[])[] = [
  ['1', '2', '3'],
  ['4', '5', '6'],
  ['7', '8', '9'],
  ['*', '0', '#'],
];

const ROWS = [697, 770, 852, 941] as const;
const COLUMNS = [1209, 1336, 1477, 1633] as const;
/** Q.23's 4×4 grid; A-D is the fourth column. */
const GRID = ['123A', '456B', '789C', '*0#D'] as const;

/** Whether `tone` is one DTMF tone (0-9, A-D, *, #; letters in either case). */
export function isDtmfTone(tone: string): boolean {
  return /^[0-9A-D*#]$/i.test(tone);
}

/** The tone a key press stands for (`KeyboardEvent.key`), or undefined: digits, * and # only, so letters stay typing keys. */
export function toneOfKey(key: string): string | undefined {
  return /^[0-9*#]$/.test(key) ? key : undefined;
}

/** The low and high frequencies (Hz) of a tone; undefined for anything that is not a tone. */
export function dtmfFrequencies(tone: string): readonly [number, number] | undefined {
  if (!isDtmfTone(tone)) return undefined;
  const t = tone.toUpperCase();
  for (let r = 0; r < GRID.length; r++) {
    const c = GRID[r]!.indexOf(t);
    if (c >= 0) return [ROWS[r]!, COLUMNS[c]!];
  }
  return undefined;
}
