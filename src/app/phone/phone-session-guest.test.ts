/**
 * The phone session as the guest (the boot identity, a name nobody chose): it is a guest until a
 * name is chosen, a returning user never starts it, and "Try again" (rejoinAsGuest) makes a new
 * guest overlay once the old one has closed and its guest device slot is back. Stand-ins as in
 * phone-session.test.ts (testing/session-harness.ts).
 */
import { describe, expect, it } from 'vitest';
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
});
