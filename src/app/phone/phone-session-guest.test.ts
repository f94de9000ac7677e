/**
 * The phone session as the guest (the boot identity, a name nobody chose): it is a guest until a
 * name is chosen, a returning user never starts it, and "Try again" (rejoinAsGuest) makes a new
 * guest overlay once the old one has closed and its guest device slot is back. Stand-ins as in
 * phone-session.test.ts (testing/session-harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { GuestSlotsTakenError, type DeviceSlot } from '../overlay/device-slot.js';
import { fakeOverlay, harness, settle } from './testing/session-harness.js';

describe('phone session as the guest', () => {
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

    // That one fails too: its slot (now held by the session) is kept for the third, which joins once it has closed.
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
    await expect(again).rejects.toBeInstanceOf(GuestSlotsTakenError);
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

  /** A session whose boot (guest) overlay failed, `patch` changing its deps (harness). */
  const failedGuest = async (patch?: Parameters<typeof harness>[3]) => {
    const boot = fakeOverlay('guest-f');
    const h = harness(boot, new Set(), undefined, patch);
    boot.resolveStart();
    await settle();
    boot.failRestart('no network for the new configuration');
    await settle();
    return { ...h, boot };
  };

  it('"Try again" whose guest slot claim fails ends failed with the reason (the UI shows it and offers Try again)', async () => {
    const { session, boot, created } = await failedGuest((deps) => ({ ...deps, guest: { ...deps.guest!, claim: () => Promise.reject(new Error('the lock manager went away')) } }));
    const again = session.rejoinAsGuest();
    boot.finishClose();
    await expect(again).rejects.toThrow('the lock manager went away');
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: true, error: 'the lock manager went away' });
    expect(created).toHaveLength(0);
  });

  it('"Try again" whose guest overlay cannot be made ends failed with the reason, and gives the slot back', async () => {
    const { session, boot, guestSlots } = await failedGuest((deps) => ({
      ...deps,
      guest: {
        ...deps.guest!,
        createOverlay: () => {
          throw new Error('no storage in this browser');
        },
      },
    }));
    const again = session.rejoinAsGuest();
    boot.finishClose();
    await expect(again).rejects.toThrow('no storage in this browser');
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: true, error: 'no storage in this browser' });
    await settle();
    expect([...guestSlots]).toEqual([]);
  });

  it('"Try again" on a page that cannot join as the guest again ends failed, saying to reload', async () => {
    const { session, boot } = await failedGuest(({ guest: _none, ...deps }) => deps);
    await expect(session.rejoinAsGuest()).rejects.toThrow('reload it');
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: true, error: 'This page cannot join as the guest again: reload it.' });
    // The overlay in use is left as it is.
    expect(boot.closed).toBe(false);
  });

  it('a "Try again" pressed while the last one still claims its guest slot waits for that claim to go back, and gets the same slot', async () => {
    // The guest's claim is granted at once (the slot is this tab's) but told a moment later (Web Locks call back on a task of their own).
    const told: (() => void)[] = [];
    const { session, boot, slots, guestSlots, created } = await failedGuest((deps, { guestClaim }) => ({
      ...deps,
      guest: { ...deps.guest!, claim: () => guestClaim().then((slot) => new Promise<DeviceSlot | undefined>((r) => told.push(() => r(slot)))) },
    }));
    const first = session.rejoinAsGuest();
    boot.finishClose();
    await settle();
    expect([...guestSlots]).toEqual(['0']);
    expect(told).toHaveLength(1);
    // Pressed again before that claim was told: the first join is superseded.
    const second = session.rejoinAsGuest();
    await settle();
    told.shift()!();
    await first;
    await settle();
    for (const tell of told.splice(0)) tell();
    await settle();
    // One guest slot held by this tab, the same one (Node-ID) as before, never slot 1.
    expect(slots).toEqual([0]);
    expect([...guestSlots]).toEqual(['0']);
    created[0]!.resolveStart();
    await second;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: true });
  });

  it('"Try again" while this session holds its guest slot keeps it: never free for another tab, the same Node-ID', async () => {
    const { session, boot, slots, guestSlots, created } = await failedGuest();
    const first = session.rejoinAsGuest();
    boot.finishClose();
    await settle();
    created[0]!.resolveStart();
    await first;
    // Let go of from here on: another tab could take it.
    const given: string[] = [];
    const remove = guestSlots.delete.bind(guestSlots);
    guestSlots.delete = (k: string) => (given.push(k), remove(k));
    const again = session.rejoinAsGuest();
    await settle();
    expect(created).toHaveLength(1);
    created[0]!.finishClose();
    await settle();
    created[1]!.resolveStart();
    await again;
    expect(slots).toEqual([0, 0]);
    expect(given).toEqual([]);
    expect([...guestSlots]).toEqual(['0']);
  });

  it('a "Try again" superseded by a join by name while its Phone unregisters leaves that name’s slot held', async () => {
    const held = new Set<string>();
    const boot = fakeOverlay('guest-15');
    let unregistered!: () => void;
    const { session, created } = harness(boot, held, undefined, (deps) => ({
      ...deps,
      startPhone: async (joined) => ({ ...(await deps.startPhone(joined)), stop: () => new Promise<void>((r) => (unregistered = r)) }),
    }));
    boot.resolveStart();
    await settle();
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: true });
    // A setting changed: the guest joins again, its Phone unregistering meanwhile.
    const again = session.rejoinAsGuest();
    await settle();
    const bob = session.join('bob');
    await settle();
    expect([...held]).toEqual(['bob/0']);
    unregistered();
    boot.finishClose();
    await settle();
    await again;
    created[0]!.resolveStart();
    await bob;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', guest: false, userName: 'bob@example.test' });
    // Bob's overlay runs with its slot (Node-ID) held: no other tab can join with it (RFC 6940 §10).
    expect([...held]).toEqual(['bob/0']);
  });
});
