/**
 * What a headless Node peer gives joinOverlay (node-client-deps.ts): its records in a SQLite file
 * under the data directory, let go by the time the owner's call returns, whether the join failed
 * or the joined overlay was closed, so that a run that ends (`chordphone peer`, the echo peer,
 * `chordphone serve` stopping while its echo peer joins) leaves the file for the next run. The
 * records' close here takes a turn of the event loop, as one does after an operation the store
 * had under way (closeBackendAfterStores lets it finish).
 */
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinOverlay, type OverlayClientDeps } from '../app/overlay/overlay-client.js';
import { serverSite, type ServerSite } from '../app/overlay/testing/server-site.js';
import { withMethods } from '../reload/storage/testing/with-methods.js';
import { recordsFileBusy } from '../reload/storage/node/testing/records-file.js';
import type { ChordphoneServer, NodeNetworkFactory } from '../server/chordphone-server.js';
import { memoryNodeNetwork } from '../server/testing/memory-node-network.js';
import { nodeClientDeps } from './node-client-deps.js';

describe('a Node peer’s records file', () => {
  let site: ServerSite;
  let server: ChordphoneServer;
  const net = memoryNodeNetwork();

  beforeAll(async () => {
    site = await serverSite('chordphone-node-client-');
    server = await site.start(site.init('server', net));
  }, 60_000);
  afterAll(async () => {
    await site?.close();
  });

  /** nodeClientDeps over a fresh data directory on `network`, its records' close a turn late. */
  const depsIn = async (network: NodeNetworkFactory): Promise<{ deps: OverlayClientDeps; dataDir: string }> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'chordphone-node-peer-'));
    const platform = nodeClientDeps(dataDir, network);
    const deps: OverlayClientDeps = {
      ...platform,
      openStorage: async (overlay, nodeId) => {
        const real = await platform.openStorage(overlay, nodeId);
        return withMethods(real, { close: () => new Promise((resolve) => setImmediate(resolve)).then(() => real.close()) });
      },
    };
    return { deps, dataDir };
  };
  /** Why another process could not read each records file under `dataDir` now, at once (undefined: it could). */
  const recordsFiles = (dataDir: string) => readdirSync(dataDir).filter((f) => f.endsWith('.records.sqlite')).map((f) => recordsFileBusy(join(dataDir, f)));
  const joinAs = (deps: OverlayClientDeps, name: string) => joinOverlay(deps, { serverUrl: server.localUrl, userName: () => name, extractable: true, bootstrap: [server.bootstrapUrls[0]!] });

  it('a join that fails is thrown once the records file is let go', async () => {
    const { deps, dataDir } = await depsIn(() => {
      throw new Error('no network for this configuration');
    });
    await expect(joinAs(deps, 'node-failing')).rejects.toThrow('no network for this configuration');
    expect(recordsFiles(dataDir)).toEqual([undefined]);
  }, 60_000);

  it('close() of a joined overlay settles once the records file is let go', async () => {
    const { deps, dataDir } = await depsIn(net);
    const joined = await joinAs(deps, 'node-closing');
    expect(recordsFiles(dataDir)).not.toEqual([undefined]);
    await joined.close();
    expect(recordsFiles(dataDir)).toEqual([undefined]);
  }, 60_000);
});
