/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * the data taken as big-endian 16-bit words, an odd last byte padded with zero. Used by the IPv4
 * header (RFC 791) and UDP (RFC 768; RFC 8200 §8.1 for IPv6).
 */

/**
 * The checksum over the concatenation of `parts`. Every part but the last must have an even
 * length (they are pseudo-headers and headers; the payload goes last).
 */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const part of parts) {
    const even = part.length & ~1;
    for (let i = 0; i < even; i += 2) {
      sum += ((part[i] ?? 0) << 8) | (part[i + 1] ?? 0);
      if (sum > 0xffffff) sum = (sum & 0xffff) + (sum >>> 16);
    }
    if (part.length !== even) sum += (part[even] ?? 0) << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
