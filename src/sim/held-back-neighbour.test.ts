/**
 * Two adjacent peers whose Attaches to each other failed (RFC 6940 §10.7.1: "the failure of some
 * request") hold each other back for failedPeerMemoryMs (ChordCore.markFailed): the Updates that
 * name the other meanwhile are not acted on (§10.7.3's Attach to a peer that "should be in x's
 * Neighbor Table"). Seen in a 1,000-peer `chordphone sim` run with churn: a joining node's
 * Attach to its predecessor went through its admitting peer, which crashed; the crossing Attaches
 * of the two failed; once things were quiet no Update named the other again, and each kept a
 * wrong neighbour list until the periodic stabilization (§10.7.4.1, chord-update-interval: 600 s),
 * so a Fetch routed by that view found nothing. Once the hold-back ends the peer must be sought
 * again (chord-held-back.ts).
 */
import { describe, expect, it } from 'vitest';
import { CLOSED_LINK_REATTACH_MS } from '../reload/topology/chord/chord-reattach.js';
import { DEFAULT_CHORD_PARAMETERS } from '../reload/topology/chord/chord-parameters.js';
import { idAt, ringPosition } from '../reload/topology/chord/ring.js';
import { buildChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { isAttachTo } from './testing/capture-messages.js';

const byPosition = (peers: readonly SimChordPeer[]) => [...peers].sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));

describe('adjacent peers whose Attaches to each other failed (RFC 6940 §10.7.1, §10.7.3)', () => {
  it.each([
    ['reactive', true],
    ['periodic', false],
  ])('%s recovery: take each other into their neighbour lists soon after the hold-back ends, not at the periodic stabilization', async (_name, reactive) => {
    let ends: { readonly a: SimChordPeer; readonly j: SimChordPeer } | undefined;
    // The Attaches between the joining node J and its predecessor A are lost on their first hop
    // (each side's, crossing or not), until they have failed; nothing else is.
    const lost = (frame: Uint8Array, from: string): boolean =>
      ends !== undefined && ((from === ends.j.address && isAttachTo(frame, ends.a.nodeId)) || (from === ends.a.address && isAttachTo(frame, ends.j.nodeId)));
    // chord-update-interval of an hour: the periodic stabilization (§10.7.4.1, its Updates and
    // adjacency check) would mend the lists at some random moment of it, out of this test's span.
    const o = await buildChordOverlay({ peers: 6, seed: 1, configuration: { chordReactive: reactive }, chord: { updateIntervalMs: 3_600_000 }, network: { model: { drop: (frame, from) => lost(frame, from) } } });
    const ring = byPosition(o.live());
    const [a, ap] = [ring[1]!, ring[2]!];
    const j = o.createPeer({ nodeId: idAt((ringPosition(a.nodeId) + ringPosition(ap.nodeId)) / 2n), bootstrap: ap.address });
    ends = { a, j };
    const t0 = o.clock.now();
    await o.clock.run(o.joinPeer(j));
    // Every transmission of both Attaches (§6.2.1) is over: each holds the other back.
    await o.settle(t0 + 30_000 - o.clock.now());
    ends = undefined;
    expect(o.ringCheck().mismatches.map((m) => m.address).sort()).toEqual([a.address, j.address].sort());
    await o.settle(DEFAULT_CHORD_PARAMETERS.failedPeerMemoryMs + CLOSED_LINK_REATTACH_MS + 3_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, mismatches: [] });
    o.close();
  });
});
