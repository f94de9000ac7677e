import type { Hasher } from '../runtime/components.js';
import type { ResourceId } from '../wire/ids.js';

/**
 * "The hash function for the overlay" (RFC 6940 §7.3): Resource Name → Resource-ID. Access
 * control hashes user names, Node-IDs and `Node-ID || i` with it and compares the result with
 * the Resource-ID stored at.
 */
export type ResourceIdHash = (name: Uint8Array) => Promise<ResourceId>;

/** RFC 6940 §10.2 chord-reload: SHA-1, truncated to its most significant 128 bits. */
export function chordReloadResourceIdHash(hasher: Pick<Hasher, 'sha1'>): ResourceIdHash {
  return async (name) => (await hasher.sha1(name)).slice(0, 16);
}
