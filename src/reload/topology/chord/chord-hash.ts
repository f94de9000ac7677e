/**
 * The hash of the CHORD-RELOAD topology plug-in (RFC 6940 §6.4.1: a plug-in names "the length of
 * the Resource-IDs and ... the hash algorithm"). The composition root injects it into storage,
 * whose access control compares hashed user names and Node-IDs with Resource-IDs (§7.3).
 */
import type { Hasher } from '../../runtime/components.js';
import type { ResourceId } from '../../wire/ids.js';
import { RING_ID_LENGTH } from './ring.js';

/** Resource Name (bytes) → Resource-ID. */
export type ChordResourceIdHash = (name: Uint8Array) => Promise<ResourceId>;

/**
 * RFC 6940 §10.2: "The hash of a Resource-ID MUST be computed using SHA-1 [RFC3174], and then the
 * SHA-1 result MUST be truncated to the most significant 128 bits."
 */
export function chordReloadResourceIdHash(hasher: Pick<Hasher, 'sha1'>): ChordResourceIdHash {
  return async (name) => (await hasher.sha1(name)).slice(0, RING_ID_LENGTH);
}
