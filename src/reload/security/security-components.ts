/**
 * What the identity layer needs from the world, injected (style.md §4): WebCrypto as a `Crypto`
 * (globalThis.crypto in the browser and in Node 20, passed in by the composition root) and
 * calendar time for certificate validity. The monotonic Clock of reload/runtime cannot serve:
 * RFC 6940 §7.1 "When signatures are verified, the current time MUST be compared to the
 * certificate validity period", and validity periods are calendar dates.
 */

/** Calendar time. The simulator maps its virtual clock onto a fixed epoch. */
export interface WallClock {
  /** Milliseconds since the Unix epoch. */
  epochMs(): number;
}

/** A fixed calendar time (tests, or the simulator's epoch plus its virtual time). */
export function fixedWallClock(epochMs: number): WallClock {
  return { epochMs: () => epochMs };
}

/** The identity layer's crypto dependency: WebCrypto-shaped, never read from a global. */
export interface CryptoDeps {
  readonly crypto: Crypto;
}

/**
 * `bytes` as a BufferSource WebCrypto accepts (a view of an ArrayBuffer, not of a
 * SharedArrayBuffer): our byte arrays are ArrayBuffer-backed, anything else is copied.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export async function sha256(crypto: Crypto, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(data)));
}

export async function digest(crypto: Crypto, algorithm: 'SHA-1' | 'SHA-256', data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(algorithm, bufferSource(data)));
}
