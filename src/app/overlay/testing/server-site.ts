/**
 * `chordphone serve`'s composition (server/chordphone-server.ts) for the overlay client tests: a
 * scratch directory holding a stand-in built app (dist/index.html) and the servers' data
 * directories, servers started on a test LAN address over an in-memory network
 * (server/testing/memory-node-network.ts), and one teardown for both.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChordphoneServer, type ChordphoneServer, type ChordphoneServerInit } from '../../../server/chordphone-server.js';
import type { MemoryNet } from './client-deps.js';

/** The LAN the servers say they are on (TEST-NET-1, RFC 5737), in place of this machine's. */
const LAN = { ips: ['192.0.2.10'], hostname: 'testbox' };

export interface ServerSite {
  /** A server's init: data in `dataName` under the site, any free port, the test LAN, on `network`; `extra` adds or replaces fields. */
  init(dataName: string, network: MemoryNet, extra?: Partial<ChordphoneServerInit>): ChordphoneServerInit;
  /** Start a server, closed by `closeServers` or `close` if the test does not close it. */
  start(init: ChordphoneServerInit): Promise<ChordphoneServer>;
  /** Close the servers started so far, in the order started. */
  closeServers(): Promise<void>;
  /** Close the servers, then remove the directory. */
  close(): Promise<void>;
}

/** A new site in a fresh directory named after `prefix`. */
export async function serverSite(prefix: string): Promise<ServerSite> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const distDir = join(dir, 'dist');
  await mkdir(distDir);
  await writeFile(join(distDir, 'index.html'), '<!doctype html><title>Chordphone</title>');
  const servers: ChordphoneServer[] = [];
  const closeServers = async () => {
    for (const s of servers.splice(0)) await s.close();
  };
  return {
    init: (dataName, network, extra = {}) => ({ distDir, dataDir: join(dir, dataName), port: 0, lan: LAN, network, ...extra }),
    async start(init) {
      const server = await startChordphoneServer(init);
      servers.push(server);
      return server;
    },
    closeServers,
    async close() {
      await closeServers();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
