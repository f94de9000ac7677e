import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('same seed, same sequence; different seeds differ', () => {
    const a = new SeededRandom(1);
    const b = new SeededRandom(1);
    const c = new SeededRandom(2);
    const xs = Array.from({ length: 10 }, () => a.u32());
    expect(Array.from({ length: 10 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c.u32())).not.toEqual(xs);
  });

  it('bytes(n) for any n, floats in [0, 1) with a plausible mean', () => {
    const r = new SeededRandom(3);
    for (const n of [0, 1, 3, 4, 5, 17]) expect(r.bytes(n)).toHaveLength(n);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      sum += f;
    }
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });

  it('forks independent, reproducible streams', () => {
    const a = new SeededRandom(9).fork();
    const b = new SeededRandom(9).fork();
    expect(a.bytes(16)).toEqual(b.bytes(16));
  });
});
