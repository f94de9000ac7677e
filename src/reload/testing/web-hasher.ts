/** A Hasher over WebCrypto (tests; Node 20 and browsers both have globalThis.crypto.subtle). */
import type { Hasher } from '../runtime/components.js';

export const webHasher: Hasher = {
  sha1: async (data) => new Uint8Array(await crypto.subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>)),
  sha256: async (data) => new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)),
};
