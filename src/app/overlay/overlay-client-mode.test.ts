/**
 * Client mode through the browser's composition (overlay-client.ts, overlay.ts, compose-peer.ts)
 * against `chordphone serve`'s composition with real certificates, on one in-memory network: a tab
 * set to `client` (RFC 6940 §4.2, RFC 7890 §2.2) attaches instead of joining, shows that in its
 * snapshot, stores (its certificate, §8, and a note) and fetches through its attached peer, and
 * is in none of the server peers' routing tables.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryKeyStore, type KeyStore, type StoredCredentials } from '../../reload/security/key-store.js';
import { parseReloadCertificate } from '../../reload/security/reload-certificate.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import { KindId } from '../../reload/wire/message-codes.js';
import { dataValueOf } from '../../reload/wire/storage/stored-data.js';
import type { ChordphoneServer } from '../../server/chordphone-server.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { createOverlay, type Overlay } from './overlay.js';
import { clientDeps, type MemoryNet } from './testing/client-deps.js';
import { serverSite, type ServerSite } from './testing/server-site.js';

describe('a tab in client mode (issue 5)', () => {
  let site: ServerSite;
  let server: ChordphoneServer;
  let net: MemoryNet;
  const overlays: Overlay[] = [];

  beforeAll(async () => {
    site = await serverSite('chordphone-client-mode-');
    net = memoryNodeNetwork();
    server = await site.start(site.init('data', net, { extraPeers: 3 }));
  }, 60_000);
  afterAll(async () => {
    for (const o of overlays) o.close();
    await site?.close();
  });

  const open = (userName: string, mode: 'peer' | 'client', openStorage = async () => createMemoryBackend(), keyStore: KeyStore = new MemoryKeyStore()): Overlay => {
    const o = createOverlay(
      clientDeps(net, [], { keyStore, openStorage }),
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

  // overlay-boot.ts gives the tab's device slot (its Node-ID) back once close() has settled: the
  // peer is off the ring then. The records close after (overlay-close.test.ts: one that never does).
  it('close() settles once the peer is closed; the records its join opened close after it (recordsClosed)', async () => {
    const backend = createMemoryBackend();
    let recordsClosed!: () => void;
    const closeRecords = backend.close.bind(backend);
    backend.close = () => new Promise<void>((resolve) => (recordsClosed = resolve)).then(() => closeRecords());
    const tab = open('cody', 'peer', async () => backend);
    await tab.start();
    const joined = tab.joined!;
    let recordsSettled = false;
    void joined.recordsClosed.then(() => (recordsSettled = true));
    await tab.close();
    expect(tab.getSnapshot().phase).toBe('closed');
    await vi.waitFor(() => expect(recordsClosed).toBeDefined(), { timeout: 5_000, interval: 20 });
    expect(recordsSettled).toBe(false);
    recordsClosed();
    await joined.recordsClosed;
    // Called again, the same close.
    await tab.close();
  }, 60_000);

  // The join waits for newly enrolled credentials to be kept; a key store save that never settles
  // must not keep close() (and so the tab's device slot) from settling once the tab gives up.
  it('a tab joined while its new credentials are still being saved closes and leaves, though the save never settles', async () => {
    const keyStore = new MemoryKeyStore();
    let saving: StoredCredentials | undefined;
    keyStore.save = (_name, credentials) => ((saving = credentials), new Promise<void>(() => {}));
    const tab = open('cyra', 'peer', undefined, keyStore);
    const started = tab.start();
    started.catch(() => undefined);
    await vi.waitFor(() => expect(saving).toBeDefined(), { timeout: 10_000, interval: 20 });
    const { instanceName } = server.document.configuration;
    const me = toHex(parseReloadCertificate(saving!.certificates[0]!, instanceName).nodeIds[0]!);
    // Joined and its certificate published (RFC 6940 §8, stored only once its join has ended): the
    // start now waits for the save alone.
    const published = async () => {
      const { answer } = await server.peers[0]!.peer.fetch(`cyra@${instanceName}`, [{ kind: KindId.CERTIFICATE_BY_USER }]);
      return answer.kindResponses.some((r) => r.values.some((d) => dataValueOf(d.value).exists));
    };
    await vi.waitFor(async () => expect(await published()).toBe(true), { timeout: 10_000, interval: 50 });
    expect(tab.getSnapshot().phase).toBe('joining');
    await tab.close();
    await expect(started).rejects.toThrow();
    expect(tab.getSnapshot().phase).toBe('closed');
    // It left (§10.9): no server peer keeps it as a neighbour.
    const listed = () => server.peers.some(({ peer }) => [...peer.status().predecessors, ...peer.status().successors].map(toHex).includes(me));
    await vi.waitFor(() => expect(listed()).toBe(false), { timeout: 10_000, interval: 20 });
  }, 60_000);
});
