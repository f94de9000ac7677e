/**
 * Unsigned integers in network byte order (RFC 6940 §6.3: big-endian) read straight from bytes,
 * for the fast paths that skip the Reader (framing.ts, fast-forwarding-header.ts). The caller has
 * checked the length.
 */
export function readU16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
