/**
 * Closing a tab's overlay (overlay.ts, overlay-client.ts) when the records its join opened never
 * finish closing (a hung IndexedDB close): the close is over once its peer is closed, so the tab's
 * device slot (its Node-ID, device-slot.ts) goes back then and a rejoin ("Try again" as the guest,
 * a switch of name) starts; never before the peer has closed (RFC 6940 §10: one place on the ring
 * per Node-ID). Against `chordphone serve`'s composition on one in-memory network.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryKeyStore } from '../../reload/security/key-store.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { withMethods } from '../../reload/storage/testing/with-methods.js';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { ChordphoneServer } from '../../server/chordphone-server.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { claimDeviceSlot, deviceSlotLockName, GUEST_DEVICE, releaseWhenClosed } from './device-slot.js';
import type { OverlayClientDeps } from './overlay-client.js';
import { createOverlay, type Overlay } from './overlay.js';
import { clientDeps, type MemoryNet } from './testing/client-deps.js';
import { serverSite, type ServerSite } from './testing/server-site.js';

describe('closing an overlay whose records never finish closing', () => {
  let site: ServerSite;
  let server: ChordphoneServer;
  let net: MemoryNet;
  const overlays: Overlay[] = [];

  beforeAll(async () => {
    site = await serverSite('chordphone-overlay-close-');
    net = memoryNodeNetwork();
    server = await site.start(site.init('data', net, { extraPeers: 1 }));
  }, 60_000);
  afterAll(async () => {
    for (const o of overlays) void o.close();
    await site?.close();
  });

  /** Records (in memory) whose close never settles; `events` says when the peer's network and the records were asked to close. */
  const hungRecords = (events: string[]): Partial<OverlayClientDeps> => ({
    openStorage: async () => withMethods(createMemoryBackend(), { close: () => (events.push('records closing'), new Promise<void>(() => {})) }),
    wrapNetwork: (network) => ({ ...network, close: () => (events.push('peer closed'), network.close()) }),
  });

  const open = (userName: string, extra: Partial<OverlayClientDeps>, nodeIdSlot: Promise<number>): Overlay => {
    const o = createOverlay(clientDeps(net, [], extra), { serverUrl: server.localUrl, userName: () => userName, bootstrap: [server.bootstrapUrls[0]!], nodeIdSlot, refreshMs: 50 });
    overlays.push(o);
    return o;
  };

  it('close() settles once the peer has closed; the device slot goes back then, not before, and a rejoin with it joins', async () => {
    const locks = new FakeWebLocks();
    const keyStore = new MemoryKeyStore();
    const events: string[] = [];
    const claim = claimDeviceSlot(GUEST_DEVICE, locks.tab('this'));
    const slotOf = async () => (await claim)!.slot;
    const tab = open('guest-hung', { keyStore, ...hungRecords(events) }, slotOf());
    await tab.start();
    const first = toHex(tab.peer!.nodeId);

    let releasedAfter: string[] | undefined;
    const held = await claim;
    const returned = releaseWhenClosed(tab.close(), {
      slot: held!.slot,
      release: () => ((releasedAfter = [...events]), held!.release()),
    });
    await vi.waitFor(() => expect(releasedAfter).toBeDefined(), { timeout: 10_000, interval: 20 });
    // Given back once the peer had closed; its records close meanwhile, and never finish.
    expect(releasedAfter?.[0]).toBe('peer closed');
    await returned;
    await vi.waitFor(() => expect(events).toEqual(['peer closed', 'records closing']), { timeout: 5_000, interval: 20 });
    expect(locks.names()).toEqual([]);

    // "Try again": the same slot, so the same Node-ID, joins again.
    const again = await claimDeviceSlot(GUEST_DEVICE, locks.tab('this'));
    expect(again?.slot).toBe(held!.slot);
    expect(locks.names()).toEqual([deviceSlotLockName(GUEST_DEVICE, held!.slot)]);
    const rejoined = open('guest-hung', { keyStore }, Promise.resolve(again!.slot));
    await rejoined.start();
    expect(rejoined.getSnapshot()).toMatchObject({ phase: 'joined', joined: true, nodeId: first });
  }, 60_000);

  it('a join that fails says failed, and its close settles, though its records never finish closing', async () => {
    const events: string[] = [];
    const tab = open(
      'guest-failing',
      {
        ...hungRecords(events),
        createNetwork: () => {
          throw new Error('no network for this configuration');
        },
      },
      Promise.resolve(0),
    );
    const started = tab.start();
    started.catch(() => undefined);
    // The start ends (the view offers "Try again") without waiting for the records.
    await vi.waitFor(() => expect(tab.getSnapshot()).toMatchObject({ phase: 'failed', error: 'no network for this configuration' }), { timeout: 10_000, interval: 20 });
    await expect(started).rejects.toThrow('no network for this configuration');
    expect(events).toEqual(['records closing']);
    let closed = false;
    void tab.close().then(() => (closed = true));
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 10_000, interval: 20 });
  }, 60_000);
});
