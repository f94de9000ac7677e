/**
 * Records closed under a joined peer (overlay-client.ts, StorageBackend.closedUnder: IndexedDB
 * closing a tab's connection for another tab, or the browser doing so) against `chordphone
 * serve`'s composition on one in-memory network: the peer leaves the overlay (RFC 6940 §10.9), so
 * that the ring stops sending it the Stores, Fetches and replicas it can no longer answer for, and
 * the overlay says why.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { StorageClosedError, type StorageBackend } from '../../reload/storage/index.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { createOverlay } from './overlay.js';
import { clientDeps } from './testing/client-deps.js';
import { serverSite, type ServerSite } from './testing/server-site.js';

/** A memory backend that can be closed under its user, as IndexedDB closes a connection (idb-backend.ts closeUnder). */
function backendClosedUnder(): { readonly backend: StorageBackend; closeUnder(why: string): Promise<void> } {
  const backend = createMemoryBackend();
  let tell: (e: StorageClosedError) => void = () => {};
  const closedUnder = new Promise<StorageClosedError>((resolve) => (tell = resolve));
  return {
    backend: Object.assign(backend, { closedUnder }),
    async closeUnder(why) {
      await backend.close();
      tell(new StorageClosedError(`the records were closed under this peer: ${why}`));
    },
  };
}

describe('records closed under a joined peer', () => {
  let site: ServerSite;
  beforeAll(async () => {
    site = await serverSite('chordphone-storage-lost-');
  });
  afterAll(async () => {
    await site?.close();
  });

  it('the peer leaves the overlay, its neighbours drop it, and the overlay says why, once', async () => {
    const net = memoryNodeNetwork();
    const server = await site.start(site.init('data', net));
    const records = backendClosedUnder();
    const told = vi.fn();
    const tab = createOverlay(clientDeps(net, [], { openStorage: async () => records.backend }), {
      serverUrl: server.localUrl,
      userName: () => 'erin',
      bootstrap: [server.bootstrapUrls[0]!],
      refreshMs: 20,
      onStorageLost: told,
    });
    try {
      await tab.start();
      let recordsSettled = false;
      void tab.joined!.recordsClosed.then(() => (recordsSettled = true));
      const ours = toHex(tab.joined!.peer.nodeId);
      const first = server.peers[0]!.peer;
      const neighbours = (): string[] => [...first.status().successors, ...first.status().predecessors].map(toHex);
      expect(neighbours()).toContain(ours);

      await records.closeUnder('another tab is deleting this records database or opening it at a newer version');
      await vi.waitFor(() => expect(tab.getSnapshot().phase).toBe('failed'), { timeout: 20_000, interval: 20 });
      expect(tab.getSnapshot()).toMatchObject({
        joined: false,
        error: 'the records were closed under this peer: another tab is deleting this records database or opening it at a newer version',
        detail: "this tab's records database was closed by the browser or another tab: reload the page to join again",
      });
      expect(told).toHaveBeenCalledTimes(1);
      // Closed with the peer gone, before the overlay is closed (JoinedOverlay.recordsClosed).
      expect(recordsSettled).toBe(true);
      expect(told.mock.calls[0]?.[0]).toBeInstanceOf(StorageClosedError);
      // RFC 6940 §10.9: it left, so the ring no longer routes its range to it.
      expect(tab.joined!.peer.status().joined).toBe(false);
      await vi.waitFor(() => expect(neighbours()).not.toContain(ours), { timeout: 10_000, interval: 20 });
    } finally {
      await tab.close();
    }
  }, 60_000);
});
