/**
 * The real Random and Hasher for the browser and Node (reload/runtime/components.ts), through
 * WebCrypto on `globalThis.crypto` (Node 20 has it as well as every secure browser context). With
 * system-clock.ts, the one place allowed to call crypto directly.
 */
import type { Hasher, Random } from '../reload/runtime/components.js';

/** `crypto.getRandomValues` fills at most 65536 bytes per call. */
const MAX_RANDOM_CHUNK = 65_536;

function webCrypto(): Crypto {
  const c = globalThis.crypto;
  if (!c?.getRandomValues || !c.subtle) throw new Error('WebCrypto (globalThis.crypto) is not available: a secure context is required');
  return c;
}

/** Cryptographically strong randomness. */
export const webCryptoRandom: Random = {
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += MAX_RANDOM_CHUNK) webCrypto().getRandomValues(out.subarray(at, Math.min(n, at + MAX_RANDOM_CHUNK)));
    return out;
  },
  float(): number {
    // 53 random bits -> [0, 1).
    const w = new Uint32Array(2);
    webCrypto().getRandomValues(w);
    return (w[0]! * 2 ** 21 + (w[1]! >>> 11)) / 2 ** 53;
  },
};

async function digest(algorithm: 'SHA-1' | 'SHA-256', data: Uint8Array): Promise<Uint8Array> {
  // Copy into a fresh ArrayBuffer-backed view: subtle.digest wants a BufferSource it owns.
  return new Uint8Array(await webCrypto().subtle.digest(algorithm, data.slice()));
}

/** SHA-1 (chord-reload ids, §10.2; overlay hash, §6.3.2) and SHA-256 (signatures, §6.3.4). */
export const webCryptoHasher: Hasher = {
  sha1: (data) => digest('SHA-1', data),
  sha256: (data) => digest('SHA-256', data),
};
