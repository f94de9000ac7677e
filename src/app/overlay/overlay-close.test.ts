/**
 * Closing a tab's overlay (overlay.ts, overlay-client.ts) while an operation on the records its
 * join opened never ends: the real records (IndexedDB, fake-indexeddb) under the database's Web
 * Lock (idb-backend.ts `exclusively`, the fake Web Locks of one origin), whose store's KindRule
 * start-up pass lists the values held and gets no answer. IndexedDB's own close cannot hang (it
 * only marks the connection to close); what keeps the records from closing is that operation,
 * which closeBackendAfterStores lets finish, and which holds the Web Lock meanwhile.
 * The close is over once its peer is closed, so the tab's device slot (its Node-ID,
 * device-slot.ts) goes back then and a rejoin ("Try again" as the guest, a switch of name) starts;
 * never before the peer has closed (RFC 6940 §10: one place on the ring per Node-ID). The rejoin
 * waits for the records' lock before it joins (join-records.ts `ready`), so it never sits on the
 * ring with a range it cannot serve; closing it ends that wait. Against `chordphone serve`'s
 * composition on one in-memory network.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryKeyStore } from '../../reload/security/key-store.js';
import { idbDatabaseName, openIdbBackend } from '../../reload/storage/idb-backend.js';
import { createMemoryBackend, type StorageBackend } from '../../reload/storage/index.js';
import { withMethods } from '../../reload/storage/testing/with-methods.js';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { ChordphoneServer } from '../../server/chordphone-server.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { claimDeviceSlot, GUEST_DEVICE, releaseWhenClosed } from './device-slot.js';
import type { OverlayClientDeps } from './overlay-client.js';
import { createOverlay, type Overlay } from './overlay.js';
import { clientDeps, type MemoryNet } from './testing/client-deps.js';
import { serverSite, type ServerSite } from './testing/server-site.js';

describe('closing an overlay while an operation on its records never ends', () => {
  let site: ServerSite;
  let server: ChordphoneServer;
  let net: MemoryNet;
  const overlays: Overlay[] = [];
  /** Ends the operations that never end, so the records close at the end. */
  const hangs: (() => void)[] = [];

  beforeAll(async () => {
    site = await serverSite('chordphone-overlay-close-');
    net = memoryNodeNetwork();
    server = await site.start(site.init('data', net, { extraPeers: 1 }));
  }, 60_000);
  afterAll(async () => {
    for (const end of hangs) end();
    for (const o of overlays) void o.close();
    await site?.close();
  });

  /** The tab's records (IndexedDB under `locks`' database lock), opened by each join. */
  const idbRecords = (locks: FakeWebLocks, replaced: (real: StorageBackend) => Partial<StorageBackend> = () => ({})): Partial<OverlayClientDeps> => ({
    openStorage: async (overlay, nodeId) => {
      const real = await openIdbBackend({ overlay, nodeId, locks: locks.tab('this') });
      return withMethods(real, replaced(real));
    },
  });

  /**
   * Records whose listing of the values held (the store's KindRule start-up pass, under the
   * database's Web Lock) answers only once `end` is called; `events` says when the peer's network
   * and the records were asked to close.
   */
  const heldRecords = (locks: FakeWebLocks, events: string[]): { deps: Partial<OverlayClientDeps>; end: () => void } => {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    hangs.push(end);
    return {
      end,
      deps: {
        ...idbRecords(locks, (real) => ({
          resources: (query) => ended.then(() => real.resources(query)),
          close: () => (events.push('records closing'), real.close()),
        })),
        wrapNetwork: (network) => ({ ...network, close: () => (events.push('peer closed'), network.close()) }),
      },
    };
  };

  const open = (userName: string, extra: Partial<OverlayClientDeps>, nodeIdSlot: Promise<number>): Overlay => {
    const o = createOverlay(clientDeps(net, [], extra), { serverUrl: server.localUrl, userName: () => userName, bootstrap: [server.bootstrapUrls[0]!], nodeIdSlot, refreshMs: 50 });
    overlays.push(o);
    return o;
  };

  it('close() settles once the peer has closed; the device slot goes back then, not before; a rejoin with it joins once the operation has ended, not before', async () => {
    const locks = new FakeWebLocks();
    const keyStore = new MemoryKeyStore();
    const events: string[] = [];
    const held = heldRecords(locks, events);
    const claim = claimDeviceSlot(GUEST_DEVICE, locks.tab('this'));
    const slotOf = async () => (await claim)!.slot;
    const tab = open('guest-held', { keyStore, ...held.deps }, slotOf());
    await tab.start();
    const first = toHex(tab.peer!.nodeId);
    const recordsClosed = tab.joined!.recordsClosed;
    let recordsSettled = false;
    void recordsClosed.then(() => (recordsSettled = true));

    let releasedAfter: string[] | undefined;
    const slot = await claim;
    const returned = releaseWhenClosed(tab.close(), {
      slot: slot!.slot,
      release: () => ((releasedAfter = [...events]), slot!.release()),
    });
    await vi.waitFor(() => expect(releasedAfter).toBeDefined(), { timeout: 10_000, interval: 20 });
    // Given back once the peer had closed; its records wait for the operation, which holds their lock.
    expect(releasedAfter).toEqual(['peer closed']);
    await returned;
    expect(locks.names()).toEqual([idbDatabaseName(tab.joined!.configuration.instanceName, tab.peer!.nodeId)]);
    expect(recordsSettled).toBe(false);

    // "Try again": the same slot, so the same Node-ID, and a second connection to its database.
    const again = await claimDeviceSlot(GUEST_DEVICE, locks.tab('this'));
    expect(again?.slot).toBe(slot!.slot);
    const rejoined = open('guest-held', { keyStore, ...idbRecords(locks) }, Promise.resolve(again!.slot));
    // It waits for the records' lock, saying so, and is not on the ring meanwhile; the operation then ends.
    let ended = false;
    rejoined.subscribe(() => {
      if (ended || !/records/.test(rejoined.getSnapshot().detail)) return;
      ended = true;
      held.end();
    });
    await rejoined.start();
    expect(ended).toBe(true);
    expect(rejoined.getSnapshot()).toMatchObject({ phase: 'joined', joined: true, nodeId: first });
    await recordsClosed;
    expect(events).toEqual(['peer closed', 'records closing']);
  }, 60_000);

  it('a join that fails says failed, and its close settles; the records it opened are closed', async () => {
    const locks = new FakeWebLocks();
    const events: string[] = [];
    const tab = open(
      'guest-failing',
      {
        ...idbRecords(locks, (real) => ({ close: () => (events.push('records closing'), real.close()) })),
        createNetwork: () => {
          throw new Error('no network for this configuration');
        },
      },
      Promise.resolve(0),
    );
    const started = tab.start();
    started.catch(() => undefined);
    await vi.waitFor(() => expect(tab.getSnapshot()).toMatchObject({ phase: 'failed', error: 'no network for this configuration' }), { timeout: 10_000, interval: 20 });
    await expect(started).rejects.toThrow('no network for this configuration');
    let closed = false;
    void tab.close().then(() => (closed = true));
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(events).toEqual(['records closing']), { timeout: 5_000, interval: 20 });
    expect(locks.names()).toEqual([]);
  }, 60_000);

  it('a records open that never completes (IndexedDB blocked by another connection) does not keep close() waiting; opened later, the records are closed', async () => {
    let opened!: (records: StorageBackend) => void;
    const opening = new Promise<StorageBackend>((resolve) => (opened = resolve));
    const events: string[] = [];
    const tab = open('guest-blocked', { openStorage: () => opening }, Promise.resolve(0));
    const started = tab.start();
    started.catch(() => undefined);
    await vi.waitFor(() => expect(tab.getSnapshot().phase).toBe('joining'), { timeout: 10_000, interval: 20 });
    let closed = false;
    void tab.close().then(() => (closed = true));
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 10_000, interval: 20 });
    await expect(started).rejects.toThrow();
    opened(withMethods(createMemoryBackend(), { close: async () => void events.push('records closing') }));
    await vi.waitFor(() => expect(events).toEqual(['records closing']), { timeout: 5_000, interval: 20 });
  }, 60_000);
});
