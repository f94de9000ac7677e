/**
 * Reactive and periodic recovery (RFC 6940 §10 intro, §11.1 chord-reactive): who hears a change
 * of a Neighbor Table (§10.7.3), and that with periodic recovery the periodic Updates of
 * §10.7.4.1 alone bring a ring to exact.
 */
import { describe, expect, it } from 'vitest';
import { CLOSED_LINK_REATTACH_MS } from '../reload/topology/chord/chord-reattach.js';
import { ringPosition } from '../reload/topology/chord/ring.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { ChordUpdateType } from '../reload/wire/methods/chord.js';
import { decodeReloadMessage } from '../reload/wire/reload-message.js';
import { buildChordOverlay, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { captureMessages } from './testing/capture-messages.js';

const byPosition = (peers: readonly SimChordPeer[]) => [...peers].sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));

/** The addresses of `p`'s predecessors and successors. */
function neighbourAddresses(o: ChordOverlay, p: SimChordPeer): Set<string> {
  const s = p.peer.status();
  const ids = new Set([...s.predecessors, ...s.successors].map((id) => toHex(id)));
  return new Set(o.live().filter((q) => ids.has(toHex(q.nodeId))).map((q) => q.address));
}

/**
 * One peer joins a built overlay; for its predecessor P (whose Neighbor Table changes, its range
 * (first predecessor, P] does not) and its admitting peer AP (whose range shrinks): the addresses
 * each sent `neighbors` Updates to, and their neighbours before and after.
 */
async function joinOne(reactive: boolean) {
  const o = await buildChordOverlay({ peers: 40, seed: 61, configuration: { chordReactive: reactive } });
  expect(o.live()[0]!.peer.chordParameters.reactive).toBe(reactive);
  const msgs = captureMessages(o);
  const before = new Map(o.live().map((p) => [p.address, neighbourAddresses(o, p)]));
  const jn = await o.clock.run(o.addPeer());
  await o.settle(10_000);
  expect(o.ringCheck().exact).toBe(true);
  const ring = byPosition(o.live());
  const j = ring.indexOf(jn);
  const pred = ring[(j - 1 + ring.length) % ring.length]!;
  const ap = ring[(j + 1) % ring.length]!;
  const updatedBy = (p: SimChordPeer) => {
    const to = new Set<string>();
    for (const m of msgs) {
      if (m.from !== p.address || m.name !== 'update_req') continue;
      const body = decodeReloadMessage(m.bytes, { maxMessageSize: 1 << 24 }).body;
      if (body.name === 'update_req' && body.value.type === ChordUpdateType.neighbors) to.add(m.to);
    }
    return to;
  };
  const side = (p: SimChordPeer) => ({ sentTo: updatedBy(p), neighbours: new Set([...before.get(p.address)!, ...neighbourAddresses(o, p)]), links: p.peer.status().links });
  const result = { pred: side(pred), ap: side(ap) };
  o.close();
  return result;
}

describe('who hears a change of the Neighbor Table (RFC 6940 §10.7.3)', () => {
  it('reactive recovery: every connection, whether or not the range changed', async () => {
    const { pred, ap } = await joinOne(true);
    // "if the Neighbor Table changes and the peer is using reactive recovery, the peer MUST send an
    // Update request to each member of its Connection Table".
    expect(pred.links).toBeGreaterThan(pred.neighbours.size);
    expect([...pred.sentTo].filter((a) => !pred.neighbours.has(a)).length).toBeGreaterThan(0);
    expect([...ap.sentTo].filter((a) => !ap.neighbours.has(a)).length).toBeGreaterThan(0);
  });

  it('periodic recovery: the Neighbor Table, and every connection only from a peer whose range changed', async () => {
    const { pred, ap } = await joinOne(false);
    expect(pred.links).toBeGreaterThan(pred.neighbours.size);
    // P's range is the same: its neighbours hear it, nobody else.
    expect(pred.sentTo.size).toBeGreaterThan(0);
    expect([...pred.sentTo].filter((a) => !pred.neighbours.has(a))).toEqual([]);
    // "When a peer discovers that its range of responsible IDs has changed, it MUST send an Update
    // to all entries in its Connection Table" — whatever the recovery mode.
    expect([...ap.sentTo].filter((a) => !ap.neighbours.has(a)).length).toBeGreaterThan(0);
  });
});

describe('periodic recovery (chord-reactive false)', () => {
  it('builds an exact ring in waves of joins', async () => {
    const o = await buildChordOverlay({ peers: 60, joinConcurrency: 8, seed: 62, configuration: { chordReactive: false } });
    expect(o.live()).toHaveLength(60);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 60 });
    o.close();
  });

  it('converges to an exact ring through the periodic Updates of §10.7.4.1 alone', async () => {
    // Every Update but those of the periodic exchange (and the join's own, §10.5 step 7) is held
    // back for an hour: the triggered rounds of §10.5 steps 8-9 and §10.7.3 never go out here.
    const intervalMs = 30_000;
    const o = await buildChordOverlay({
      peers: 24,
      joinConcurrency: 4,
      seed: 63,
      settleMs: 0,
      configuration: { chordReactive: false },
      chord: { updateDelayMs: 3_600_000, updateIntervalMs: intervalMs },
    });
    expect(o.live()).toHaveLength(24);
    const start = o.ringCheck();
    expect(start.exact).toBe(false);
    // Each exchange carries news one neighbour further; a few intervals suffice.
    let waited = 0;
    while (!o.ringCheck().exact && waited < 10 * intervalMs) {
      await o.settle(intervalMs);
      waited += intervalMs;
    }
    expect(o.ringCheck().exact).toBe(true);
    expect(waited).toBeLessThan(3_600_000);
    o.close();
  });
});

describe('a neighbour replaced by a farther peer (RFC 6940 §10.7.1, §10.7.3)', () => {
  it('is back in the peer\'s list long before chord-update-interval', async () => {
    // A drops its link to B, its third successor (failedPeerMemoryMs 0: nothing holds A back from
    // B again). A fills its list from the rest of its Routing Table (§10.7.1) with a farther peer.
    // Two ways bring B back before the periodic Updates (§10.7.4.1, every 600 s): B, whose list lost
    // A too, Attaches to A, and A's own Attach to B waits for that link (§6.5.1.2 Error_In_Progress,
    // attach-service.ts); or A's first successor, which knows B, names B in answer to A's Update
    // (§10.7.3: A "MUST attempt to Attach to the new peers"; ChordStabilization.answerUpdate). Since
    // the first came in, it is the one taken here; the next test takes the second.
    const o = await buildChordOverlay({ peers: 30, seed: 71, chord: { failedPeerMemoryMs: 0 } });
    expect(o.live()[0]!.peer.chordParameters.updateIntervalMs).toBeGreaterThan(60_000);
    const ring = byPosition(o.live());
    const [a, b] = [ring[0]!, ring[3]!];
    const link = a.peer.neighbours().find((n) => toHex(n.nodeId) === toHex(b.nodeId))?.link;
    expect(link).toBeDefined();
    link!.close();
    await o.settle(10_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 30 });
    expect(a.peer.status().successors.map(toHex)[2]).toBe(toHex(b.nodeId));
    o.close();
  });

  it('is named back to the peer by the neighbours that know it, in answer to its Update (reactive recovery)', async () => {
    // The answer alone brings B back here, before the Attach that B, which saw the link closed by
    // A (`remote`), sends A (CLOSED_LINK_REATTACH_MS after the loss, chord-reattach.ts) could have
    // gone; A closed it itself and sends none. B holds A back as failed (failedPeerMemoryMs,
    // default 60 s), so B takes A in from no Update meanwhile. A holds B back for 10 ms only, and
    // announces its change 20 ms later (updateDelayMs): when its lists
    // lost B, the peers its neighbours had named (B among them, reconsiderHeard) were still held
    // back, and A's neighbours have lost no one, so they have no change of their own to announce.
    // A's first two successors list B, A's Update lacks it: each answers with an Update of its own
    // (answerUpdate), and A Attaches to B through one of them (§10.7.3, §10.6).
    const o = await buildChordOverlay({ peers: 29, seed: 71 });
    const a = await o.clock.run(o.addPeer({ chord: { failedPeerMemoryMs: 10 } }));
    await o.settle(10_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 30 });
    expect(a.peer.chordParameters.updateDelayMs).toBeGreaterThan(a.peer.chordParameters.failedPeerMemoryMs);
    const ring = byPosition(o.live());
    const i = ring.indexOf(a);
    const [s1, s2, b] = [1, 2, 3].map((k) => ring[(i + k) % ring.length]!);
    const link = a.peer.neighbours().find((n) => toHex(n.nodeId) === toHex(b!.nodeId))?.link;
    expect(link).toBeDefined();
    const msgs = captureMessages(o);
    link!.close();
    const answerWithinMs = 500;
    expect(answerWithinMs).toBeLessThan(CLOSED_LINK_REATTACH_MS / 2);
    await o.settle(answerWithinMs);
    expect(a.peer.status().successors.map(toHex)[2]).toBe(toHex(b!.nodeId));
    const answeredBy = new Set(msgs.filter((m) => m.to === a.address && m.name === 'update_req').map((m) => m.from));
    expect(answeredBy.has(s1!.address) || answeredBy.has(s2!.address)).toBe(true);
    await o.settle(10_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 30 });
    o.close();
  });

  it.each([
    ['reactive recovery', { chordReactive: true }],
    // As `chordphone serve` hands it out (server/overlay-document.ts): periodic Updates every 60 s.
    ['periodic recovery, chord-update-interval 60 s', { chordReactive: false, chordUpdateInterval: 60 }],
  ] as const)('with the default hold-back: a neighbour whose link just closed is back within seconds, not at chord-update-interval (%s)', async (_name, configuration) => {
    // Both ends of a link between two healthy neighbours see it close (a WebRTC connection that
    // dropped, or one end that closed it) and hold each other back (failedPeerMemoryMs, 60 s): their
    // neighbours' Updates and answers (§10.7.3) that name the other are not acted on meanwhile, and
    // once the hold-back is over nothing names it again before the periodic Updates of §10.7.4.1
    // (every 600 s). §10.7.1: "A peer MAY attempt to reestablish connectivity with a lost neighbor
    // ... by actively routing a new Attach to the lost peer": here B, which saw A close the link
    // (`remote`), Attaches to A 1-2 s later (chord-reattach.ts); A closed it itself and does not.
    // With periodic recovery no neighbour tells B of A meanwhile (their lists did not change, and
    // no Update is answered): B asks one that named A for its lists first (RouteQuery, §10.8).
    const o = await buildChordOverlay({ peers: 30, seed: 71, configuration });
    expect(o.live()[0]!.peer.chordParameters.failedPeerMemoryMs).toBe(60_000);
    const ring = byPosition(o.live());
    const [a, b] = [ring[0]!, ring[1]!];
    const link = a.peer.neighbours().find((n) => toHex(n.nodeId) === toHex(b.nodeId))?.link;
    expect(link).toBeDefined();
    link!.close();
    await o.settle(10_000);
    expect(a.peer.status().successors.map(toHex)[0]).toBe(toHex(b.nodeId));
    expect(b.peer.status().predecessors.map(toHex)[0]).toBe(toHex(a.nodeId));
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 30 });
    o.close();
  });

  it('with the default hold-back: a neighbour whose link went silent is back within seconds once the path carries frames again', async () => {
    // The path between two healthy neighbours goes silent (a phone that changed networks). The
    // first end to find the link dead (§6.6.3.1) closes it, so the other end sees it closed
    // (`remote`): each holds the other back as failed, as it would a peer that crashed, and their
    // other neighbours' Updates naming the other are not acted on before the periodic Updates of
    // §10.7.4.1 (every 600 s). The end that saw it closed Attaches again 1-2 s later (chord-reattach.ts);
    // the end that found it dead waits for the end of its hold-back (chord-reattach.test.ts has
    // that path alone: here the other end's Attach comes first).
    let silent: readonly string[] = [];
    const o = await buildChordOverlay({ peers: 30, seed: 71, network: { model: { drop: (_f, from, to) => silent.includes(from) && silent.includes(to) } } });
    const memoryMs = o.live()[0]!.peer.chordParameters.failedPeerMemoryMs;
    const ring = byPosition(o.live());
    const [a, b] = [ring[0]!, ring[1]!];
    silent = [a.address, b.address];
    const linked = () => a.peer.neighbours().some((n) => toHex(n.nodeId) === toHex(b.nodeId)) || b.peer.neighbours().some((n) => toHex(n.nodeId) === toHex(a.nodeId));
    let waited = 0;
    while (linked()) {
      await o.settle(1_000);
      waited += 1_000;
    }
    expect(waited).toBeLessThan(memoryMs);
    silent = [];
    await o.settle(10_000);
    expect(a.peer.status().successors.map(toHex)[0]).toBe(toHex(b.nodeId));
    expect(b.peer.status().predecessors.map(toHex)[0]).toBe(toHex(a.nodeId));
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 30 });
    o.close();
  });

  it.each([
    ['crashed (its links went silent)', false, true],
    ['was closed without a Leave (its links closed)', true, true],
    ['crashed (its links went silent), periodic recovery', false, false],
    ['was closed without a Leave (its links closed), periodic recovery', true, false],
  ])('with the default hold-back: a neighbour that %s is not sought again', async (_name, closedLinks, reactive) => {
    // The hold-back is kept for what it is for: the neighbours of a crashed peer find it dead one
    // by one, and until each has, its Updates still name it. A neighbour Attaches to it again (at
    // the end of the hold-back; CLOSED_LINK_REATTACH_MS after a closed link) only through a
    // neighbour whose Update since the loss names it (chord-reattach.ts). With reactive recovery
    // the others have dropped it from their lists and told us by then (§10.7.1's immediate
    // Updates); with periodic recovery they tell only the neighbours whose lists would change, and
    // the Updates from before the loss vouch for nothing. Either way no Attach goes to it.
    const o = await buildChordOverlay({ peers: 30, seed: 71, configuration: { chordReactive: reactive } });
    const memoryMs = o.live()[0]!.peer.chordParameters.failedPeerMemoryMs;
    const b = byPosition(o.live())[1]!;
    const msgs = captureMessages(o);
    if (closedLinks) o.network.disconnect(b.address);
    o.kill(b);
    await o.settle(2 * memoryMs);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 29 });
    const attachesToB = msgs.filter((m) => {
      if (m.name !== 'attach_req') return false;
      const to = decodeReloadMessage(m.bytes, { maxMessageSize: 1 << 24 }).forwardingHeader.destinationList.at(-1);
      return to?.kind === 'node' && toHex(to.nodeId) === toHex(b.nodeId);
    });
    expect(attachesToB).toEqual([]);
    o.close();
  });

  it('periodic recovery: a peer whose first successor fails silently takes in the peers its other neighbours named, long before chord-update-interval', async () => {
    // With periodic recovery no Update answers ours (that is reactive recovery's, above), and the
    // neighbours that know the peers past the gap have lost no one and announce nothing: A would keep
    // a far finger as its third successor until a neighbour's periodic Update (every 600 s), and
    // send the lookups for the gap past their target, to a peer that routes them back round the ring
    // to A (Error_Loop_Detected). The peers its remaining successors named in their last Updates
    // are matches A has too (§10.7.1: "replace it with the best match it has").
    const o = await buildChordOverlay({ peers: 200, joinConcurrency: 4, seed: 64, configuration: { chordReactive: false } });
    expect(o.live()[0]!.peer.chordParameters.updateIntervalMs).toBeGreaterThan(60_000);
    const ring = byPosition(o.live());
    const at = (i: number) => ring[(i + ring.length) % ring.length]!;
    // A peer whose Routing Table lacks its fourth successor: losing the first leaves a gap.
    const ai = ring.findIndex((p, i) => !(p.peer.status().routingTable ?? []).some((id) => toHex(id) === toHex(at(i + 4).nodeId)));
    expect(ai).toBeGreaterThanOrEqual(0);
    const a = at(ai);
    // A finds its first successor gone (its link closed) before that successor's own successor
    // does (whose range then changes, §10.7.3: an Update to its whole Connection Table, A included):
    // found dead by keepalive probes only, 45 s later here.
    const s1 = at(ai + 1);
    a.peer.neighbours().find((n) => toHex(n.nodeId) === toHex(s1.nodeId))!.link.close();
    o.kill(s1);
    await o.settle(5_000);
    expect(a.peer.status().successors.map(toHex)).toEqual([at(ai + 2), at(ai + 3), at(ai + 4)].map((q) => toHex(q.nodeId)));
    o.close();
  });
});
