/**
 * Client mode through the browser's composition (overlay-client.ts, overlay.ts, compose-peer.ts)
 * against `chordphone serve`'s composition with real certificates, on one in-memory network: a tab
 * set to `client` (RFC 6940 §4.2, RFC 7890 §2.2) attaches instead of joining, shows that in its
 * snapshot, stores (its certificate, §8, and a note) and fetches through its attached peer, and
 * is in none of the server peers' routing tables.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemWallClock } from '../../platform/system-clock.js';
import { MemoryKeyStore } from '../../reload/security/key-store.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import { startChordphoneServer, type ChordphoneServer } from '../../server/chordphone-server.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { createOverlay, type Overlay } from './overlay.js';

const LAN = { ips: ['192.0.2.10'], hostname: 'testbox' };

describe('a tab in client mode (issue 5)', () => {
  let dir: string;
  let server: ChordphoneServer;
  let net: ReturnType<typeof memoryNodeNetwork>;
  const overlays: Overlay[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chordphone-client-mode-'));
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>Chordphone</title>');
    net = memoryNodeNetwork();
    server = await startChordphoneServer({ distDir: join(dir, 'dist'), dataDir: join(dir, 'data'), port: 0, lan: LAN, extraPeers: 3, network: net });
  }, 60_000);
  afterAll(async () => {
    for (const o of overlays) o.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (userName: string, mode: 'peer' | 'client', openStorage = async () => createMemoryBackend()): Overlay => {
    const o = createOverlay(
      {
        crypto: globalThis.crypto,
        wallClock: systemWallClock,
        fetch: (url, init) => fetch(url, init),
        keyStore: new MemoryKeyStore(),
        openStorage,
        createNetwork: (init) => net(init),
      },
      { serverUrl: server.localUrl, userName: () => userName, bootstrap: [server.bootstrapUrls[0]!], mode, refreshMs: 50 },
    );
    overlays.push(o);
    return o;
  };

  it('attaches, shows mode and attached peer, stores and fetches, and is in no routing table', async () => {
    const tab = open('cleo', 'client');
    await tab.start();
    const s = tab.getSnapshot();
    expect(s).toMatchObject({ phase: 'joined', mode: 'client', joined: false, predecessors: [], successors: [] });
    expect(s.attachedPeer).toMatch(/^[0-9a-f]{32}$/);
    expect(s.links.map((l) => l.nodeId)).toEqual([s.attachedPeer]);
    // §8 through the attached peer: its certificate is stored (CERTIFICATE_BY_NODE / _BY_USER).
    expect(await tab.joined!.certificatePublished).toBe(true);

    await tab.storeNote('on battery');
    const other = open('paul', 'peer');
    await other.start();
    expect(other.getSnapshot()).toMatchObject({ mode: 'peer', joined: true });
    expect(await other.fetchNote(tab.peer!.userName)).toBe('on battery');
    await other.storeNote('plugged in');
    expect(await tab.fetchNote(other.peer!.userName)).toBe('plugged in');

    const me = toHex(tab.peer!.nodeId);
    for (const p of [...server.peers.map((x) => x.peer), other.peer!]) {
      const st = p.status();
      expect([...st.predecessors, ...st.successors, ...st.fingers].map(toHex)).not.toContain(me);
    }
  }, 60_000);

  // A tab that closes its overlay (and joins again, say in the other mode) leaves no records open
  // behind it: in the browser its IndexedDB connection.
  it('a tab closed closes the records its join opened', async () => {
    const backend = createMemoryBackend();
    const closing = vi.spyOn(backend, 'close');
    const tab = open('cora', 'client', async () => backend);
    await tab.start();
    expect(closing).not.toHaveBeenCalled();
    tab.close();
    await vi.waitFor(() => expect(closing).toHaveBeenCalledTimes(1), { timeout: 5_000, interval: 20 });
    expect(tab.getSnapshot().phase).toBe('closed');
  }, 60_000);

  // overlay-boot.ts gives the tab's device slot (its Node-ID) back only then: a tab loading
  // meanwhile would join with the Node-ID of a peer still on the ring.
  it('close() settles once the peer and the records its join opened are closed', async () => {
    const backend = createMemoryBackend();
    let recordsClosed!: () => void;
    const closeRecords = backend.close.bind(backend);
    backend.close = () => new Promise<void>((resolve) => (recordsClosed = resolve)).then(() => closeRecords());
    const tab = open('cody', 'peer', async () => backend);
    await tab.start();
    let settled = false;
    const closing = tab.close();
    void Promise.resolve(closing).then(() => (settled = true));
    await vi.waitFor(() => expect(recordsClosed).toBeDefined(), { timeout: 5_000, interval: 20 });
    expect(tab.getSnapshot().phase).toBe('closed');
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    recordsClosed();
    await closing;
    expect(settled).toBe(true);
    // Called again, the same close.
    await tab.close();
  }, 60_000);
});
