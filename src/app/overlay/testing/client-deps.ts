/**
 * joinOverlay's deps for a Node client of a test overlay on an in-memory network
 * (server/testing/memory-node-network.ts): WebCrypto, the system's wall clock, the global fetch,
 * a key store and records in memory.
 */
import { systemWallClock } from '../../../platform/system-clock.js';
import { MemoryKeyStore } from '../../../reload/security/key-store.js';
import { createMemoryBackend } from '../../../reload/storage/memory-backend.js';
import type { memoryNodeNetwork } from '../../../server/testing/memory-node-network.js';
import type { PeerSecurity } from '../compose-peer.js';
import type { OverlayClientDeps } from '../overlay-client.js';

export type MemoryNet = ReturnType<typeof memoryNodeNetwork>;

/** The deps for a client on `net`; `securities` collects each peer's signer and verifier; `extra` replaces any of them. */
export function clientDeps(net: MemoryNet, securities: PeerSecurity[] = [], extra: Partial<OverlayClientDeps> = {}): OverlayClientDeps {
  return {
    crypto: globalThis.crypto,
    wallClock: systemWallClock,
    fetch: (url, init) => fetch(url, init),
    keyStore: new MemoryKeyStore(),
    openStorage: async () => createMemoryBackend(),
    createNetwork: (init) => {
      securities.push(init.security);
      return net(init);
    },
    ...extra,
  };
}
