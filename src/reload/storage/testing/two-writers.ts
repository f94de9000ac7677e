/**
 * Two DataStores over one stored database through two backend objects (two IndexedDB connections
 * to one database: a same-name rejoin in one tab, the new join opening the database while the old
 * overlay closes; two opens of one SQLite file in one process, sqlite-files.ts), racing Stores.
 */
import { ReloadError } from '../../runtime/reload-error.js';
import { createDataStore, type DataStore } from '../data-store.js';
import type { StorageBackend } from '../storage-backend.js';
import { webHasher } from '../../testing/web-hasher.js';
import { single } from './records.js';
import { K, resourceIdHash, storageFixture, storeReq } from './storage-fixture.js';

/**
 * Alice stores a K.SINGLE value through `first`, then stores a new value through each of `first`
 * and `second` at once, both with the generation counter she read (RFC 6940 §7.4.1.1: "If the
 * generation counter is non-zero, it must equal the current value of the generation counter for
 * this kind", as an HTTP ETag). Resolves with the outcome of each racing Store: the ReloadError's
 * code name, or 'stored'.
 */
export async function raceStoresWithOneGeneration(first: StorageBackend, second: StorageBackend): Promise<string[]> {
  const f = await storageFixture();
  const over = (backend: StorageBackend): DataStore =>
    createDataStore({ backend, clock: f.clock, epochClock: () => f.clock.now(), verifier: f.trust, hasher: webHasher, resourceIdHash, responsibility: f.oracle }, { kinds: f.store.kinds });
  const [a, b] = [over(first), over(second)];
  const req = (text: string, storageTime: bigint, generation: bigint) => storeReq(f.aliceUser, K.SINGLE, [f.alice.sign(f.aliceUser, K.SINGLE, single(text), storageTime)], generation);
  const { answer } = await a.store(req('first', 1n, 0n), f.ctx(f.alice));
  const read = answer.kindResponses[0]?.generationCounter ?? 0n;
  const outcomes = await Promise.allSettled([a.store(req('from a', 2n, read), f.ctx(f.alice)), b.store(req('from b', 3n, read), f.ctx(f.alice))]);
  a.close();
  b.close();
  return outcomes.map((o) => (o.status === 'fulfilled' ? 'stored' : ((o.reason instanceof ReloadError && o.reason.codeName) || String(o.reason))));
}
