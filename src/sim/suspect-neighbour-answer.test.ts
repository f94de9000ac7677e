/**
 * A peer fails silently; until it is declared dead its neighbours keep it in their Neighbor Tables
 * with a suspect link (§6.6.3.1), and its successor answers for its range (chord-router.ts
 * effectivePredecessor). Requests for that range must get that answer: RFC 6940 §6.3.4 check 2
 * ("at least as close to the target Resource-ID as any node in the requesting node's Neighbor
 * Table") must not reject it for the failed peer's sake, or the request is retransmitted to the
 * same answer until it fails with Error_Request_Timeout (seen in `chordphone sim` runs with churn).
 */
import { describe, expect, it } from 'vitest';
import { inHalfOpen, ringPosition } from '../reload/topology/chord/ring.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { buildChordOverlay, type ChordOverlay, type SimChordPeer, type SimOutcome } from './chord-overlay.js';

const byPosition = (peers: readonly SimChordPeer[]) => [...peers].sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));

/** The link state `from` has to `to` (undefined: no link, or `to` not in its table). */
const linkState = (from: SimChordPeer, to: SimChordPeer) => from.peer.neighbours().find((n) => toHex(n.nodeId) === toHex(to.nodeId))?.link.state;

/** Whether `to` is still in `from`'s Neighbor Table. */
const inNeighborTable = (from: SimChordPeer, to: SimChordPeer) => {
  const s = from.peer.status();
  return [...s.predecessors, ...s.successors].some((id) => toHex(id) === toHex(to.nodeId));
};

/**
 * An 8-peer ring with a name stored in the range of peer P; P is killed and the clock runs until
 * both its predecessor PP and its successor S see their links to it suspect (P still in both
 * Neighbor Tables).
 */
async function suspectVictim(): Promise<{ o: ChordOverlay; pp: SimChordPeer; s: SimChordPeer; name: string }> {
  const o = await buildChordOverlay({ peers: 8, seed: 9 });
  const ring = byPosition(o.live());
  const [pp, p, s] = [ring[2]!, ring[3]!, ring[4]!];
  let name = '';
  for (let i = 0; name === ''; i++) {
    const n = `victim-${i}`;
    if (inHalfOpen(ringPosition(await p.peer.resourceId(n)), ringPosition(pp.nodeId), ringPosition(p.nodeId))) name = n;
  }
  expect((await o.clock.run(o.store(ring[0]!, name, Uint8Array.of(7)))).ok).toBe(true);
  await o.settle(2_000);
  o.kill(p);
  for (let t = 0; (linkState(s, p) === 'open' || linkState(pp, p) === 'open') && t < 30_000; t += 100) await o.clock.advance(100);
  expect([linkState(pp, p), linkState(s, p)]).toEqual(['suspect', 'suspect']);
  expect([inNeighborTable(pp, p), inNeighborTable(s, p)]).toEqual([true, true]);
  return { o, pp, s, name };
}

/** The outcome of a Fetch of `name` from `from`, as it stands one second (of virtual time) after it was sent: well within the first transmission's timer. */
async function fetchWithinOneSecond(o: ChordOverlay, from: SimChordPeer, name: string): Promise<SimOutcome | 'unanswered'> {
  let outcome: SimOutcome | 'unanswered' = 'unanswered';
  void o.fetch(from, name).then((r) => (outcome = r));
  await o.clock.advance(1_000);
  return outcome;
}

describe('the answer for the range of a neighbour whose link is suspect (RFC 6940 §6.3.4 check 2)', () => {
  it('the successor answering for the failed peer\'s range takes its own answer', async () => {
    const { o, s, name } = await suspectVictim();
    const r = await fetchWithinOneSecond(o, s, name);
    expect(r).toMatchObject({ ok: true, value: Uint8Array.of(7) });
    o.close();
  });

  it('the failed peer\'s predecessor, routed past it to the successor, takes the successor\'s answer', async () => {
    const { o, pp, name } = await suspectVictim();
    const r = await fetchWithinOneSecond(o, pp, name);
    expect(r).toMatchObject({ ok: true, value: Uint8Array.of(7) });
    o.close();
  });
});
