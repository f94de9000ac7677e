import type { ResourceId } from '../wire/ids.js';

/**
 * "The hash function for the overlay" (RFC 6940 §7.3): Resource Name → Resource-ID. Access
 * control hashes user names, Node-IDs and `Node-ID || i` with it and compares the result with
 * the Resource-ID stored at. It belongs to the topology plug-in (§6.4.1; CHORD-RELOAD's is
 * `chordReloadResourceIdHash` in reload/topology/chord, §10.2) and is injected by the
 * composition root.
 */
export type ResourceIdHash = (name: Uint8Array) => Promise<ResourceId>;
