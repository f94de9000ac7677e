/**
 * The phone session's identity handling by name: the boot (guest) overlay gets a Phone once
 * joined; "Join" with another name unregisters the old Phone, closes the old peer and registers the
 * new name on a new overlay; the same name again changes nothing; a refused name says why; work of
 * a superseded identity is undone; device slots of a name are taken, kept and given back; a
 * ConfigUpdate's restart moves the Phone. Overlays and phones are stand-ins here
 * (testing/session-harness.ts; the real ones run in e2e/calls.spec.ts); what is under test is the
 * session's sequencing. The guest's side: phone-session-guest.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Phone, PhoneCall } from '../../phone/index.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import type { DeviceSlot } from '../overlay/device-slot.js';
import type { BrowserPhone } from './browser-phone.js';
import { localPart, PHONE_STOP_MAX_WAIT_MS } from './phone-session.js';
import { fakeOverlay, harness, joinedAsAlice, settle } from './testing/session-harness.js';

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

  it(`a switch whose old Phone never finishes unregistering goes on after ${PHONE_STOP_MAX_WAIT_MS} ms of the session's clock`, async () => {
    const clock = new ManualClock();
    const boot = fakeOverlay('guest-20');
    const { session, created } = harness(boot, new Set(), undefined, (deps) => ({
      ...deps,
      clock,
      // Its unregistering Store never gets an answer (the old peer's links gone).
      startPhone: async (joined) => ({ ...(await deps.startPhone(joined)), stop: () => new Promise<void>(() => {}) }) satisfies BrowserPhone,
    }));
    boot.resolveStart();
    await settle();
    expect(session.getSnapshot().phase).toBe('ready');
    const joining = session.join('erin');
    await settle();
    clock.advance(PHONE_STOP_MAX_WAIT_MS - 1);
    await settle();
    expect({ created: created.length, closed: boot.closed }).toEqual({ created: 0, closed: false });
    clock.advance(1);
    await settle();
    expect({ created: created.map((o) => o.userName), closed: boot.closed }).toEqual({ created: ['erin'], closed: true });
    created[0]!.resolveStart();
    await joining;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'erin@example.test' });
  });

  it(`a Phone that starts after its join was superseded, and never finishes unregistering, lets that join settle after ${PHONE_STOP_MAX_WAIT_MS} ms of the session's clock`, async () => {
    const clock = new ManualClock();
    const boot = fakeOverlay('guest-21');
    let startAlice!: () => void;
    const { session, created } = harness(boot, new Set(), undefined, (deps) => ({
      ...deps,
      clock,
      startPhone: async (joined) => {
        const started = await deps.startPhone(joined);
        if (!joined.peer.userName.startsWith('alice')) return started;
        // Alice's Phone starts only once the join was superseded, and its unregistering Store is never answered.
        await new Promise<void>((r) => (startAlice = r));
        return { ...started, stop: () => new Promise<void>(() => {}) } satisfies BrowserPhone;
      },
    }));
    boot.resolveStart();
    await settle();
    let aliceSettled = false;
    const alice = session.join('alice').finally(() => (aliceSettled = true));
    await settle();
    created[0]!.resolveStart();
    await settle();
    const bob = session.join('bob');
    await settle();
    startAlice();
    await settle();
    clock.advance(PHONE_STOP_MAX_WAIT_MS - 1);
    await settle();
    expect(aliceSettled).toBe(false);
    clock.advance(1);
    await settle();
    expect(aliceSettled).toBe(true);
    await alice;
    created[1]!.resolveStart();
    await bob;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'bob@example.test' });
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

  it('lets go of a call once its Phone has (ended, and dropped from the Phone\'s calls): a long-lived tab does not keep every call it ever made', async () => {
    const boot = fakeOverlay('guest-20');
    // A Phone like the real one: its snapshot lists its calls; it drops an ended one (a minute later) and says so.
    const listed = new Map<string, { id: string; state: string }>();
    const listeners = new Set<() => void>();
    const phone = {
      onIncomingCall: () => () => {},
      subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)),
      snapshot: () => ({ calls: [...listed.values()] }),
      call: async (address: string) => {
        const call = { id: `call-${listed.size}-${address}`, state: 'calling' };
        listed.set(call.id, call);
        return call as unknown as PhoneCall;
      },
    } as unknown as Phone;
    const { session } = harness(boot, new Set(), undefined, (d) => ({ ...d, startPhone: async () => ({ phone, stop: async () => {} }) }));
    boot.resolveStart();
    await settle();
    const first = await session.dial('bob');
    (first as unknown as { state: string }).state = 'ended';
    listed.delete(first.id);
    for (const l of [...listeners]) l();
    const second = await session.dial('carol');
    expect(session.call(second.id)).toBe(second);
    expect(session.call(first.id)).toBeUndefined();
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

  it('a join by name whose device slot claim fails, or whose overlay cannot be made, ends failed with the reason; the slot goes back', async () => {
    const held = new Set<string>();
    const boot = fakeOverlay('guest-13');
    const { session } = harness(boot, held, undefined, (deps) => ({
      ...deps,
      claim: (name) => (name === 'ida' ? Promise.reject(new Error('the lock manager went away')) : deps.claim!(name)),
      createOverlay: () => {
        throw new Error('no storage in this browser');
      },
    }));
    boot.resolveStart();
    await settle();
    await expect(session.join('ida')).rejects.toThrow('the lock manager went away');
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: false, error: 'the lock manager went away' });
    await expect(session.join('jo')).rejects.toThrow('no storage in this browser');
    expect(session.getSnapshot()).toMatchObject({ phase: 'failed', guest: false, error: 'no storage in this browser' });
    await settle();
    expect([...held]).toEqual([]);
  });

  it('a join by name superseded just after its device slot was claimed gives that slot back', async () => {
    const held = new Set<string>();
    const boot = fakeOverlay('guest-14');
    let tell!: () => void;
    let bobClaim: Promise<DeviceSlot | undefined> | undefined;
    const { session, created } = harness(boot, held, undefined, (deps) => ({
      ...deps,
      claim: (name) => (name === 'bob' ? (bobClaim = new Promise<void>((r) => (tell = r)).then(() => deps.claim!(name))) : deps.claim!(name)),
    }));
    boot.resolveStart();
    await settle();
    const bob = session.join('bob');
    await settle();
    // Carol is chosen in the moment between bob's claim being had and bob's join going on with it.
    const carol = bobClaim!.then(() => session.join('carol'));
    tell();
    await settle();
    await settle();
    created[0]!.resolveStart();
    await carol;
    await bob;
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'carol@example.test' });
    expect(created.map((o) => o.userName)).toEqual(['carol']);
    // Bob's slot is not kept by a join that no longer runs: another tab may take it.
    expect([...held]).toEqual(['carol/0']);
  });

  it('a superseded device slot claim whose release throws does not hold up the next claim', async () => {
    const boot = fakeOverlay('guest-16');
    let tell!: () => void;
    const { session, created } = harness(boot, new Set(), undefined, (deps) => ({
      ...deps,
      claim: (name) =>
        name === 'bob'
          ? new Promise<void>((r) => (tell = r)).then(() => ({
              slot: 0,
              release: () => {
                throw new Error('the lock manager went away');
              },
            }))
          : deps.claim!(name),
    }));
    boot.resolveStart();
    await settle();
    const bob = session.join('bob');
    bob.catch(() => undefined);
    await settle();
    const carol = session.join('carol');
    await settle();
    tell();
    await settle();
    await settle();
    expect(created.map((o) => o.userName)).toEqual(['carol']);
    created[0]!.resolveStart();
    await carol;
    await expect(bob).resolves.toBeUndefined();
    expect(session.getSnapshot()).toMatchObject({ phase: 'ready', userName: 'carol@example.test' });
  });

  it('localPart takes the name before the last @, lower-cased', () => {
    expect(localPart(' Alice@Example.test ')).toBe('alice');
    expect(localPart('bob')).toBe('bob');
  });
});
