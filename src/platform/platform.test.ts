import { describe, expect, it } from 'vitest';
import { systemClock } from './system-clock.js';
import { webCryptoHasher, webCryptoRandom } from './web-crypto.js';
import { toHex } from '../reload/wire/codec/hex.js';

describe('webCryptoHasher', () => {
  it('computes SHA-1 and SHA-256 (FIPS 180 "abc" vectors)', async () => {
    const abc = new TextEncoder().encode('abc');
    expect(toHex(await webCryptoHasher.sha1(abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(await webCryptoHasher.sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('webCryptoRandom', () => {
  it('gives the requested number of bytes, beyond one getRandomValues call', () => {
    const b = webCryptoRandom.bytes(70_000);
    expect(b).toHaveLength(70_000);
    expect(b.some((x) => x !== 0)).toBe(true);
    expect(webCryptoRandom.bytes(0)).toHaveLength(0);
  });

  it('gives floats in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const f = webCryptoRandom.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });
});

describe('systemClock', () => {
  it('is monotonic and cancels timers', () => {
    const a = systemClock.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(a);
    let fired = false;
    systemClock.setTimer(0, () => (fired = true)).cancel();
    expect(fired).toBe(false);
  });
});
