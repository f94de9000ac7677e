/**
 * The phone session's identity handling: the boot (guest) overlay gets a Phone once joined;
 * "Join" with another name unregisters the old Phone, closes the old peer and registers the new
 * name on a new overlay; the same name again changes nothing; a refused name says why; work of a
 * superseded identity is undone. Overlays and phones are stand-ins here (the real ones run in
 * e2e/calls.spec.ts); what is under test is the session's sequencing.
 */
import { describe, expect, it } from 'vitest';
import type { Phone, PhoneCall } from '../../phone/index.js';
import type { JoinedOverlay } from '../overlay/overlay-client.js';
import type { Overlay, OverlaySnapshot } from '../overlay/overlay.js';
import type { BrowserPhone } from './browser-phone.js';
import { createPhoneSession, localPart } from './phone-session.js';

interface FakeOverlay extends Overlay {
  readonly userName: string;
  closed: boolean;
  /** Ends the close under way (its peer leaving, its records closing): close() settles then. */
  finishClose(): void;
  /** What close() returns: settles once finishClose() was called. */
  readonly whenClosed: Promise<void>;
  resolveStart(): void;
  rejectStart(e: Error): void;
  /** A ConfigUpdate restarted the peer: a new peer object, listeners told. */
  restartPeer(): void;
  /** That restart could not join again: the overlay says `failed`, listeners told. */
  failRestart(error: string): void;
}

function fakeOverlay(userName: string): FakeOverlay {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const started = new Promise<void>((r, j) => ((resolve = r), (reject = j)));
  let joined: JoinedOverlay | undefined;
  const listeners = new Set<() => void>();
  let generation = 0;
  let snapshot: Partial<OverlaySnapshot> = { phase: 'idle', joined: false };
  let finishClose!: () => void;
  const closing = new Promise<void>((r) => (finishClose = r));
  const o = {
    userName,
    closed: false,
    start: () => started,
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => snapshot,
    failRestart(error: string) {
      snapshot = { phase: 'failed', joined: false, error };
      for (const l of [...listeners]) l();
    },
    restartPeer() {
      joined = { ...joined!, peer: { userName: `${userName}@example.test`, generation: ++generation } } as unknown as JoinedOverlay;
      for (const l of [...listeners]) l();
    },
    get joined() {
      return joined;
    },
    close() {
      o.closed = true;
      return closing;
    },
    finishClose: () => finishClose(),
    whenClosed: closing,
    resolveStart() {
      joined = { peer: { userName: `${userName}@example.test` }, configuration: { instanceName: 'example.test' } } as unknown as JoinedOverlay;
      resolve();
    },
    rejectStart: (e: Error) => reject(e),
  };
  return o as unknown as FakeOverlay;
}

interface Started {
  readonly user: string;
  stopped: boolean;
}

/** Device slots held per name (another tab's, or this one's), at most two per name. */
/** A session whose boot overlay (guest `guest`) has joined and which then joined as alice (device slots in `held`). */
async function joinedAsAlice(guest: string) {
  const held = new Set<string>();
  const boot = fakeOverlay(guest);
  const h = harness(boot, held);
  boot.resolveStart();
  await settle();
  const alice = h.session.join('alice');
  await settle();
  h.created[0]!.resolveStart();
  await alice;
  return { ...h, held };
}

function harness(boot: FakeOverlay, held: Set<string> = new Set(), returning?: string) {
  const created: FakeOverlay[] = [];
  const slots: number[] = [];
  const phones: Started[] = [];
  // Device slots as the Web Locks keep them: `name/slot` in `held`, the guest's slot numbers in `guestSlots`.
  const claim = async (name: string, from: Set<string> = held, key = (slot: number) => `${name}/${slot}`) => {
    const slot = [0, 1].find((i) => !from.has(key(i)));
    if (slot === undefined) return undefined;
    from.add(key(slot));
    return { slot, release: () => void from.delete(key(slot)) };
  };
  // A guest's boot overlay holds guest slot 0 and gives it back once closed (overlay-boot.ts).
  const guestSlots = new Set<string>(returning === undefined ? ['0'] : []);
  const guestSlotReturned = returning === undefined ? boot.whenClosed.then(() => void guestSlots.delete('0')) : Promise.resolve();
  const session = createPhoneSession({
    overlay: boot,
    ...(returning === undefined ? {} : { userName: returning }),
    claim,
    createOverlay: (name, slot) => {
      const o = fakeOverlay(name);
      created.push(o);
      slots.push(slot);
      return o;
    },
    guest: {
      claim: () => claim('guest', guestSlots, String),
      createOverlay: (slot) => {
        const o = fakeOverlay(`guest-again-${created.length}`);
        created.push(o);
        slots.push(slot);
        return o;
      },
      slotReturned: guestSlotReturned,
    },
    startPhone: async (joined) => {
      const record: Started = { user: joined.peer.userName, stopped: false };
      phones.push(record);
      let n = 0;
      const phone = {
        onIncomingCall: () => () => {},
        call: async (address: string) => ({ id: `call-${++n}-${address}` }) as unknown as PhoneCall,
      } as unknown as Phone;
      const bp: BrowserPhone = {
        phone,
        stop: async () => {
          record.stopped = true;
        },
      };
      return bp;
    },
  });
  return { session, created, slots, phones, guestSlots };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('phone session', () => {
  it('registers the boot identity once it joins, then switches to a chosen user name', async () => {
    const boot = fakeOverlay('guest-1');
    const { session, created, phones } = harness(boot);
    expect(session.getSnapshot().phase).toBe('joining');
    boot.resolveStart();
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'guest-1@example.test', domain: 'example.test' });
    expect(phones.map((p) => p.user)).toEqual(['guest-1@example.test']);

    const joining = session.join('  Alice ');
    await settle();
    expect(created.map((o) => o.userName)).toEqual(['alice']);
    expect(phones[0]!.stopped).toBe(true);
    expect(boot.closed).toBe(true);
    expect(session.getSnapshot().overlay).toBe(created[0]);
    created[0]!.resolveStart();
    await joining;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'alice@example.test' });

    // The same name again: nothing to do.
    await session.join('alice@example.test');
    expect(created).toHaveLength(1);

    const call = await session.dial('bob');
    expect(session.call(call.id)).toBe(call);
  });

  it('says why a name was refused, and a later name still works', async () => {
    const boot = fakeOverlay('guest-2');
    const { session, created } = harness(boot);
    boot.resolveStart();
    await settle();
    const refused = session.join('bob');
    await settle();
    created[0]!.rejectStart(new Error('the user name bob@example.test is already taken by someone else: choose another one'));
    await expect(refused).rejects.toThrow('already taken');
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', error: 'the user name bob@example.test is already taken by someone else: choose another one' });
    await expect(session.dial('carol')).rejects.toThrow('not connected');

    const again = session.join('bob2');
    await settle();
    created[1]!.resolveStart();
    await again;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'bob2@example.test', error: undefined });
  });

  it('a boot identity that joins after "Join" was pressed does not keep its phone', async () => {
    const boot = fakeOverlay('guest-3');
    const { session, created, phones } = harness(boot);
    const joining = session.join('dave');
    await settle();
    boot.resolveStart();
    created[0]!.resolveStart();
    await joining;
    await settle();
    expect(session.getSnapshot().userName).toBe('dave@example.test');
    // The guest's phone either never started or was stopped at once.
    expect(phones.filter((p) => p.user.startsWith('guest-3') && !p.stopped)).toEqual([]);
  });

  it('takes the next free device slot of a name, refuses when none is left, and lets go of its own', async () => {
    const held = new Set(['erin/0', 'erin/1', 'frank/0']);
    const boot = fakeOverlay('guest-4');
    const { session, created, slots } = harness(boot, held);
    boot.resolveStart();
    await settle();
    await expect(session.join('Erin')).rejects.toThrow('erin is already open in too many tabs of this browser');
    expect(created).toHaveLength(0);
    expect(session.getSnapshot().phase).toBe('failed');

    // Another tab is frank (slot 0): this one is frank's second device.
    const frank = session.join('frank');
    await settle();
    expect(slots).toEqual([1]);
    created[0]!.resolveStart();
    await frank;
    expect([...held].sort()).toEqual(['erin/0', 'erin/1', 'frank/0', 'frank/1']);
    const gina = session.join('gina');
    await settle();
    expect(slots).toEqual([1, 0]);
    created[0]!.finishClose();
    await settle();
    expect([...held].sort()).toEqual(['erin/0', 'erin/1', 'frank/0', 'gina/0']);
    created[1]!.resolveStart();
    await gina;
    session.close();
    created[1]!.finishClose();
    await settle();
    expect([...held].sort()).toEqual(['erin/0', 'erin/1', 'frank/0']);
  });

  it('gives a name’s device slot back only once its overlay has closed (until then its peer may be on the ring with that Node-ID)', async () => {
    const { held, session, created } = await joinedAsAlice('guest-6');
    expect([...held]).toEqual(['alice/0']);
    // A switch to bob: alice's overlay is closing; another tab loading alice now must not get slot 0.
    const bob = session.join('bob');
    await settle();
    expect(created[0]!.closed).toBe(true);
    expect([...held].sort()).toEqual(['alice/0', 'bob/0']);
    created[0]!.finishClose();
    await settle();
    expect([...held]).toEqual(['bob/0']);
    created[1]!.resolveStart();
    await bob;
    // The tab going away: the same.
    session.close();
    await settle();
    expect(created[1]!.closed).toBe(true);
    expect([...held]).toEqual(['bob/0']);
    created[1]!.finishClose();
    await settle();
    expect([...held]).toEqual([]);
  });

  it('a rejoin as the same name keeps its device slot, and joins with it once the old overlay has closed', async () => {
    const { held, session, created, slots } = await joinedAsAlice('guest-7');
    const again = session.join('alice', { again: true });
    await settle();
    // The old peer, with this slot's Node-ID, may still be on the ring: no second peer with it yet.
    expect(created[0]!.closed).toBe(true);
    expect(created).toHaveLength(1);
    expect([...held]).toEqual(['alice/0']);
    created[0]!.finishClose();
    await settle();
    expect(slots).toEqual([0, 0]);
    created[1]!.resolveStart();
    await again;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'alice@example.test' });
    expect([...held]).toEqual(['alice/0']);
  });

  it('moves the Phone to the new peer when a ConfigUpdate restarts it', async () => {
    const boot = fakeOverlay('guest-5');
    const { session, phones } = harness(boot);
    boot.resolveStart();
    await settle();
    const first = session.getSnapshot().phone;
    boot.restartPeer();
    await settle();
    await settle();
    expect(phones.map((p) => p.stopped)).toEqual([true, false]);
    expect(session.getSnapshot().phase).toBe('ready');
    expect(session.getSnapshot().phone).not.toBe(first);
  });

  it('says failed, with the overlay’s reason, when a restart with a newer configuration could not join again', async () => {
    const boot = fakeOverlay('guest-10');
    const { session, phones } = harness(boot);
    boot.resolveStart();
    await settle();
    expect(session.getSnapshot().phase).toBe('ready');
    boot.failRestart('no network for the new configuration');
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', phone: undefined, error: 'no network for the new configuration' });
    expect(phones.map((p) => p.stopped)).toEqual([true]);
  });

  it('a guest whose overlay failed tries again as the guest: a new guest overlay once the old one has closed and its slot is back', async () => {
    const boot = fakeOverlay('guest-11');
    const { session, created, slots, phones, guestSlots: held } = harness(boot);
    boot.resolveStart();
    await settle();
    boot.failRestart('no network for the new configuration');
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: true });

    const again = session.rejoinAsGuest();
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'joining', guest: true, error: undefined });
    expect(boot.closed).toBe(true);
    // The old peer, with guest slot 0's Node-ID, may still be on the ring: no new overlay, the slot still its.
    expect(created).toHaveLength(0);
    expect([...held]).toEqual(['0']);
    boot.finishClose();
    await settle();
    // The slot went back (overlay-boot.ts releaseWhenClosed), then this tab claimed it again: the same Node-ID.
    expect(slots).toEqual([0]);
    expect([...held]).toEqual(['0']);
    expect(session.getSnapshot().overlay).toBe(created[0]);
    created[0]!.resolveStart();
    await again;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: true, userName: 'guest-again-0@example.test' });
    expect(phones.map((p) => p.user)).toEqual(['guest-11@example.test', 'guest-again-0@example.test']);

    // That one fails too: its slot (now held by the session) goes back once it has closed, then a third.
    created[0]!.failRestart('still no network');
    await settle();
    const third = session.rejoinAsGuest();
    await settle();
    expect(created).toHaveLength(1);
    expect([...held]).toEqual(['0']);
    created[0]!.finishClose();
    await settle();
    expect(slots).toEqual([0, 0]);
    created[1]!.resolveStart();
    await third;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: true });

    // The tab going away gives the guest slot back once that overlay has closed.
    session.close();
    await settle();
    expect([...held]).toEqual(['0']);
    created[1]!.finishClose();
    await settle();
    expect([...held]).toEqual([]);
  });

  it('"Try again" as the guest with every guest slot held by other tabs says so, and joins nothing', async () => {
    const boot = fakeOverlay('guest-12');
    const { session, created, guestSlots: held } = harness(boot);
    boot.rejectStart(new Error('could not fetch the configuration'));
    await settle();
    const again = session.rejoinAsGuest();
    await settle();
    // Other tabs take both guest slots meanwhile: slot 1 now, slot 0 as soon as it is back.
    held.add('1');
    void boot.whenClosed.then(() => held.add('0'));
    boot.finishClose();
    await expect(again).rejects.toThrow(/already open as a guest/);
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: true });
    expect(created).toHaveLength(0);
  });

  it('a returning user joins with the remembered name at once: the guest never starts', async () => {
    let bootStarted = false;
    const boot = fakeOverlay('guest-9');
    const start = boot.start;
    (boot as { start: () => Promise<void> }).start = () => ((bootStarted = true), start());
    const { session, created, phones } = harness(boot, new Set(), 'carol');
    expect(session.getSnapshot()).toMatchObject({ phase: 'joining', guest: false });
    await settle();
    expect(created.map((o) => o.userName)).toEqual(['carol']);
    expect(bootStarted).toBe(false);
    // The boot overlay was never started, so it is not "left" (its status would say so).
    expect(boot.closed).toBe(false);
    created[0]!.resolveStart();
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'carol@example.test', guest: false });
    expect(phones.map((p) => p.user)).toEqual(['carol@example.test']);
  });

  it('is a guest until a name is chosen', async () => {
    const boot = fakeOverlay('guest-8');
    const { session, created } = harness(boot);
    boot.resolveStart();
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: true });
    const joining = session.join('dan');
    expect(session.getSnapshot().guest).toBe(false);
    await settle();
    created[0]!.resolveStart();
    await joining;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: false, userName: 'dan@example.test' });
  });

  it('localPart takes the name before the last @, lower-cased', () => {
    expect(localPart(' Alice@Example.test ')).toBe('alice');
    expect(localPart('bob')).toBe('bob');
  });
});
