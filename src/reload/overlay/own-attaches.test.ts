/**
 * OwnAttaches' memory of a peer's failed Attaches (RFC 6940 §6.5.1.2 crossings): an Attach of ours
 * that learns only after the failure that it waits for that peer ends at once, while the failure is
 * recent and no later Attach of the peer's may still make the link.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { NodeId } from '../wire/ids.js';
import { CROSSING_FAILURE_MEMORY_MS, MAX_CROSSING_FAILURES, OwnAttaches } from './own-attaches.js';

const id = (b: number, first = b): NodeId => new Uint8Array(16).fill(b).fill(first, 0, 1);
const SELF = id(0x80);
const PEER = id(0x01);
const refusal = new Error('refused here');

/** An Attach of ours that the peer refused with Error_In_Progress, now waiting for the peer's. */
function waiting(own: OwnAttaches, peer: NodeId = PEER) {
  const mine = own.start(undefined);
  own.awaitCrossing(mine, peer);
  return mine;
}

describe('OwnAttaches: a peer\'s failed Attaches and ours waiting for them', () => {
  it('the last of the peer\'s Attaches failing ends ours at once, also one that starts waiting after it, until CROSSING_FAILURE_MEMORY_MS', async () => {
    const clock = new VirtualClock();
    const own = new OwnAttaches(clock, () => false);
    const before = waiting(own);
    const crossing = own.admit(PEER, SELF);
    if (crossing === 'refuse') throw new Error('refused');
    crossing.done(refusal);
    expect(before.crossing.signal.reason).toBe(refusal);
    expect(waiting(own).crossing.signal.reason).toBe(refusal);
    await clock.advance(CROSSING_FAILURE_MEMORY_MS - 1);
    expect(waiting(own).crossing.signal.aborted).toBe(true);
    await clock.advance(1);
    expect(waiting(own).crossing.signal.aborted).toBe(false);
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
    const dropped = own.admit(PEER, SELF);
    if (dropped === 'refuse') throw new Error('refused');
    dropped.done(refusal);
    expect(mine.crossing.signal.aborted).toBe(false);
    // The link breaks; ours waiting for the peer's new Attach does not end on the old answer.
    usable = false;
    expect(waiting(own).crossing.signal.aborted).toBe(false);
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
    a1.done(refusal);
    a2.done();
    expect(mine.crossing.signal.aborted).toBe(false);
    expect(waiting(own).crossing.signal.aborted).toBe(false);
  });

  it('a later Attach of the peer\'s forgets its failure (a link may come of it)', () => {
    const own = new OwnAttaches(new VirtualClock(), () => false);
    const first = own.admit(PEER, SELF);
    if (first === 'refuse') throw new Error('refused');
    first.done(refusal);
    own.admit(PEER, SELF);
    expect(waiting(own).crossing.signal.aborted).toBe(false);
  });

  it(`remembers at most MAX_CROSSING_FAILURES peers' failures, the oldest forgotten first`, () => {
    const own = new OwnAttaches(new VirtualClock(), () => false);
    const peers = Array.from({ length: MAX_CROSSING_FAILURES + 1 }, (_, i) => id(0x10 + (i >> 8), i & 0xff));
    for (const p of peers) {
      const c = own.admit(p, SELF);
      if (c === 'refuse') throw new Error('refused');
      c.done(refusal);
    }
    expect(waiting(own, peers[0]).crossing.signal.aborted).toBe(false);
    expect(waiting(own, peers[1]).crossing.signal.aborted).toBe(true);
    expect(waiting(own, peers.at(-1)).crossing.signal.aborted).toBe(true);
  });
});
