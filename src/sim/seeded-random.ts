/**
 * A fast seeded PRNG implementing Random (reload/runtime/components.ts) for the simulator and
 * tests: same seed, same sequence. sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * as in PractRand), seeded through splitmix32. NOT cryptographically strong: never for production.
 */
import type { Random } from '../reload/runtime/components.js';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const next = splitmix32(seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** The next 32 random bits as an unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let i = 0;
    while (i + 4 <= n) {
      const v = this.u32();
      out[i++] = v >>> 24;
      out[i++] = (v >>> 16) & 0xff;
      out[i++] = (v >>> 8) & 0xff;
      out[i++] = v & 0xff;
    }
    if (i < n) {
      const v = this.u32();
      for (let s = 24; i < n; s -= 8) out[i++] = (v >>> s) & 0xff;
    }
    return out;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An independent generator derived from this one (e.g. one per simulated peer). */
  fork(): SeededRandom {
    return new SeededRandom(this.u32());
  }
}
