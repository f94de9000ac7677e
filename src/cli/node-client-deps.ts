/**
 * What a headless Node peer of the CLI (`chordphone peer`, the echo peer) gives `joinOverlay`:
 * WebCrypto, the system wall clock, `fetch`, its key and certificate in a FileKeyStore under
 * `dataDir/keys`, its records in SQLite under `dataDir` (let go before a failed join is thrown and
 * before close() settles: closeAwaitsRecords), and the Node network (or a test's).
 */
import { join } from 'node:path';
import { systemWallClock } from '../platform/system-clock.js';
import type { Logger } from '../reload/runtime/components.js';
import type { OverlayClientDeps } from '../app/overlay/overlay-client.js';
import { FileKeyStore } from '../reload/security/node/index.js';
import { openSqliteBackend } from '../reload/storage/node/index.js';
import { toHex } from '../reload/wire/codec/hex.js';
import type { NodeNetworkFactory } from '../server/chordphone-server.js';
import { nodeNetwork } from '../server/node-network.js';

export function nodeClientDeps(dataDir: string, network: NodeNetworkFactory = nodeNetwork, logger?: Logger): OverlayClientDeps {
  const crypto = globalThis.crypto;
  return {
    crypto,
    wallClock: systemWallClock,
    fetch: (url, requestInit) => fetch(url, requestInit),
    keyStore: new FileKeyStore({ crypto }, { directory: join(dataDir, 'keys') }),
    openStorage: async (overlay, nodeId) => openSqliteBackend({ filename: join(dataDir, `${overlay}.${toHex(nodeId)}.records.sqlite`) }),
    // The records file is held until closed (sqlite-files.ts): a failed join and close() let it go
    // before they settle, so every owner's call has let it go when it returns.
    closeAwaitsRecords: true,
    createNetwork: ({ security, configuration, iceServers }) => network({ security, configuration, iceServers, ...(logger ? { logger } : {}) }),
    ...(logger ? { logger } : {}),
  };
}
