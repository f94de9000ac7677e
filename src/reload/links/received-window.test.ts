import { describe, expect, it } from 'vitest';
import { ReceivedWindow, sequenceDistance, sequencesInMask } from './received-window.js';

describe('ReceivedWindow (§6.6.2 received bitmask; bit k = sequence N−k, LSB = bit 0)', () => {
  it.each([
    ['first packet: nothing before it', [], 0, 0x0],
    ['N=1 after 0: bit 1', [0], 1, 0b10],
    ['N=3 after 0, 1: bits 3 and 2', [0, 1], 3, 0b1100],
    ['N=5 after 4, 2: bits 1 and 3', [4, 2], 5, 0b1010],
    ['M = N−31 is the last one set', [0], 31, 0x80000000],
    ['M = N−32 is not set ("greater than N-32")', [0], 32, 0],
    ['a later packet already seen (M > N) is not set', [9], 5, 0],
    ['wraps: 0xffffffff before 0 is bit 1', [0xffffffff], 0, 0b10],
  ] as const)('%s', (_name, before, n, mask) => {
    const w = new ReceivedWindow();
    for (const m of before) w.receive(m);
    expect(w.receive(n)).toBe(mask);
  });

  it('remembers only the 32 most recent sequence numbers', () => {
    const w = new ReceivedWindow();
    w.receive(100);
    for (let i = 0; i < 32; i++) w.receive(200 + i);
    // 100 fell out of the window; 110 would be within 31 of it but is not remembered anyway.
    expect(w.receive(110)).toBe(0);
  });

  it('gives the same masks as the 32-entry list it stands for, for in-order runs, gaps, reordering and wrap', () => {
    // A reference straight from the RFC text: the 32 previously received packets, by arrival.
    const reference = () => {
      const recent: number[] = [];
      return (n: number) => {
        let mask = 0;
        for (const m of recent) {
          const k = sequenceDistance(n, m);
          if (k > 0 && k < 32) mask |= 1 << k;
        }
        recent.push(n >>> 0);
        if (recent.length > 32) recent.shift();
        return mask >>> 0;
      };
    };
    const runs: number[][] = [
      Array.from({ length: 100 }, (_, i) => i),
      Array.from({ length: 40 }, (_, i) => (0xfffffff0 + i) >>> 0),
      [...Array.from({ length: 50 }, (_, i) => i), 52, 53, 51, 60, ...Array.from({ length: 40 }, (_, i) => 61 + i)],
      [7, 7, 8, 3, 9],
    ];
    for (const run of runs) {
      const w = new ReceivedWindow();
      const ref = reference();
      expect(run.map((n) => w.receive(n))).toEqual(run.map((n) => ref(n)));
    }
  });

  it('sequencesInMask reads the mask back', () => {
    expect(sequencesInMask(3, 0b1100)).toEqual([1, 0]);
    expect(sequencesInMask(0, 0b10)).toEqual([0xffffffff]);
  });

  it('sequenceDistance is serial arithmetic', () => {
    expect(sequenceDistance(0, 0xffffffff)).toBe(1);
    expect(sequenceDistance(5, 7)).toBe(-2);
  });
});
