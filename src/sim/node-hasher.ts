/**
 * A Hasher (reload/runtime/components.ts) over Node's synchronous `node:crypto` hashes, for the
 * simulator: results are ready in the same job (no thread pool), so they fit virtual time without
 * `VirtualClock.track`, and thousands of peers hash fast. Node only; never used under src/reload.
 */
import { createHash } from 'node:crypto';
import type { Hasher } from '../reload/runtime/components.js';

export const nodeHasher: Hasher = {
  sha1: (data) => Promise.resolve(new Uint8Array(createHash('sha1').update(data).digest())),
  sha256: (data) => Promise.resolve(new Uint8Array(createHash('sha256').update(data).digest())),
};
