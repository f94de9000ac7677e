/**
 * OwnAttaches' memory of a peer's failed Attaches (RFC 6940 §6.5.1.2 crossings): an Attach of ours
 * that learns only after the failure that it waits for that peer ends at once, while the failure is
 * recent and no later Attach of the peer's may still make the link, and only if it was started
 * before the failure (one started after it was refused for another Attach of the peer's).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { NodeId } from '../wire/ids.js';
import { CROSSING_FAILURE_MEMORY_MS, MAX_CROSSING_FAILURES, OwnAttaches, type OwnAttach } from './own-attaches.js';

const id = (b: number, first = b): NodeId => new Uint8Array(16).fill(b).fill(first, 0, 1);
const SELF = id(0x80);
const PEER = id(0x01);
const refusal = new Error('refused here');

/** An Attach of ours that the peer refused with Error_In_Progress, now waiting for the peer's. */
function waiting(own: OwnAttaches, peer: NodeId = PEER) {
  return refused(own, own.start(undefined), peer);
}

/** `mine`, started earlier, is refused by the peer with Error_In_Progress now. */
function refused(own: OwnAttaches, mine: OwnAttach, peer: NodeId = PEER): OwnAttach {
  own.awaitCrossing(mine, peer);
  return mine;
}

describe('OwnAttaches: a peer\'s failed Attaches and ours waiting for them', () => {
  it('the last of the peer\'s Attaches failing ends ours at once, also one started before it whose refusal comes after it, until CROSSING_FAILURE_MEMORY_MS', async () => {
    const clock = new VirtualClock();
    const own = new OwnAttaches(clock, () => false);
    const before = waiting(own);
    const inFlight = [own.start(undefined), own.start(undefined), own.start(undefined)] as const;
    const crossing = own.admit(PEER, SELF);
    if (crossing === 'refuse') throw new Error('refused');
    crossing.done(refusal);
    expect(before.crossing.signal.reason).toBe(refusal);
    expect(refused(own, inFlight[0]).crossing.signal.reason).toBe(refusal);
    await clock.advance(CROSSING_FAILURE_MEMORY_MS - 1);
    expect(refused(own, inFlight[1]).crossing.signal.aborted).toBe(true);
    await clock.advance(1);
    expect(refused(own, inFlight[2]).crossing.signal.aborted).toBe(false);
  });

  it('an Attach of ours started after the peer\'s failure is not ended by it, though refused while it is remembered: that refusal is for a newer Attach of the peer\'s still on its way', async () => {
    const clock = new VirtualClock();
    const own = new OwnAttaches(clock, () => false);
    const older = own.start(undefined);
    const crossing = own.admit(PEER, SELF);
    if (crossing === 'refuse') throw new Error('refused');
    crossing.done(refusal);
    await clock.advance(1_000);
    // A fresh attempt (a new Attach, not a retransmission), refused by the peer within the memory time.
    const fresh = own.start(PEER);
    expect(refused(own, fresh).crossing.signal.aborted).toBe(false);
    // Started at the same instant as the failure, after it: not ended either.
    const sameInstant = new OwnAttaches(clock, () => false);
    const c = sameInstant.admit(PEER, SELF);
    if (c === 'refuse') throw new Error('refused');
    c.done(refusal);
    expect(waiting(sameInstant).crossing.signal.aborted).toBe(false);
    // The failure still ends the attempt it crossed, started before it.
    expect(refused(own, older).crossing.signal.reason).toBe(refusal);
  });

  it('one failing while another of the peer\'s is still in progress ends nothing; nor does the last failing while the link one made is up', () => {
    const own = new OwnAttaches(new VirtualClock(), () => false);
    const mine = waiting(own);
    const [a, b] = [own.admit(PEER, SELF), own.admit(PEER, SELF)];
    if (a === 'refuse' || b === 'refuse') throw new Error('refused');
    b.done(refusal);
    expect(mine.crossing.signal.aborted).toBe(false);
    // The other order: one made the link (usable), then the last one fails.
    let usable = false;
    const linked = new OwnAttaches(new VirtualClock(), () => usable);
    const theirs = waiting(linked);
    const [c, d] = [linked.admit(PEER, SELF), linked.admit(PEER, SELF)];
    if (c === 'refuse' || d === 'refuse') throw new Error('refused');
    usable = true;
    c.done();
    d.done(refusal);
    expect(theirs.crossing.signal.aborted).toBe(false);
    expect(waiting(linked).crossing.signal.aborted).toBe(false);
  });

  it('a failure is neither counted nor remembered while the peer is linked: an answer it dropped for the link it holds is no failure (review 2, bug 1)', () => {
    let usable = true;
    const own = new OwnAttaches(new VirtualClock(), () => usable);
    const mine = waiting(own);
    const later = own.start(undefined);
    const dropped = own.admit(PEER, SELF);
    if (dropped === 'refuse') throw new Error('refused');
    dropped.done(refusal);
    expect(mine.crossing.signal.aborted).toBe(false);
    // The link breaks; ours waiting for the peer's new Attach does not end on the old answer.
    usable = false;
    expect(refused(own, later).crossing.signal.aborted).toBe(false);
  });

  it('whether a link came is asked at the last outcome, not kept from an earlier one: the link A1 made broke, the last one fails, ours ends (review 2, bug 2)', () => {
    let usable = false;
    const own = new OwnAttaches(new VirtualClock(), () => usable);
    const [a1, a2] = [own.admit(PEER, SELF), own.admit(PEER, SELF)];
    if (a1 === 'refuse' || a2 === 'refuse') throw new Error('refused');
    usable = true;
    a1.done();
    usable = false;
    const mine = waiting(own);
    a2.done(refusal);
    expect(mine.crossing.signal.reason).toBe(refusal);
  });

  it('the last of the peer\'s Attaches ending without error ends nothing, the peer not usable yet: its link may be retired pending the one-link check, and ours waits for it with its own link timeout (review 3)', () => {
    const own = new OwnAttaches(new VirtualClock(), () => false);
    const [a1, a2] = [own.admit(PEER, SELF), own.admit(PEER, SELF)];
    if (a1 === 'refuse' || a2 === 'refuse') throw new Error('refused');
    const mine = waiting(own);
    const later = own.start(undefined);
    a1.done(refusal);
    a2.done();
    expect(mine.crossing.signal.aborted).toBe(false);
    expect(refused(own, later).crossing.signal.aborted).toBe(false);
  });

  it('a later Attach of the peer\'s forgets its failure (a link may come of it)', () => {
    const own = new OwnAttaches(new VirtualClock(), () => false);
    const mine = own.start(undefined);
    const first = own.admit(PEER, SELF);
    if (first === 'refuse') throw new Error('refused');
    first.done(refusal);
    own.admit(PEER, SELF);
    expect(refused(own, mine).crossing.signal.aborted).toBe(false);
  });

  it(`remembers at most MAX_CROSSING_FAILURES peers' failures, the oldest forgotten first`, () => {
    const own = new OwnAttaches(new VirtualClock(), () => false);
    const peers = Array.from({ length: MAX_CROSSING_FAILURES + 1 }, (_, i) => id(0x10 + (i >> 8), i & 0xff));
    const mine = [own.start(undefined), own.start(undefined), own.start(undefined)] as const;
    for (const p of peers) {
      const c = own.admit(p, SELF);
      if (c === 'refuse') throw new Error('refused');
      c.done(refusal);
    }
    expect(refused(own, mine[0], peers[0]).crossing.signal.aborted).toBe(false);
    expect(refused(own, mine[1], peers[1]).crossing.signal.aborted).toBe(true);
    expect(refused(own, mine[2], peers.at(-1)).crossing.signal.aborted).toBe(true);
  });
});
