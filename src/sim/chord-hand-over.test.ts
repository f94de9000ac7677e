/**
 * Data handed to the peer that becomes responsible for it as the ring changes around it (RFC 6940
 * §10.5 step 6, §6.4.2.1, §6.4.2.3): a peer restarting under the same Node-ID, a peer back from a
 * partition, and the normal join, which must not get its range twice over.
 */
import { describe, expect, it } from 'vitest';
import { inHalfOpen, ringPosition } from '../reload/topology/chord/ring.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { decodeForwardedMessage } from '../reload/wire/forwarded-message.js';
import { buildChordOverlay, createChordOverlay, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { captureMessages as capture } from './testing/capture-messages.js';

/** The names among `names` whose Resource-IDs lie in `(pred, peer]` (the peer's range, §10.1). */
async function inRange(peer: SimChordPeer, pred: Uint8Array, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) if (inHalfOpen(ringPosition(await peer.peer.resourceId(n)), ringPosition(pred), ringPosition(peer.nodeId))) out.push(n);
  return out;
}

/** Stores `names` (value i for the i-th) through the live peers in turn. */
async function storeAll(o: ChordOverlay, names: readonly string[]): Promise<void> {
  const peers = o.live();
  for (const [i, n] of names.entries()) expect((await o.clock.run(o.store(peers[i % peers.length]!, n, Uint8Array.of(i)))).ok).toBe(true);
}

describe('handing a peer the data of its range (RFC 6940 §10.5 step 6, §6.4.2.3)', () => {
  it('a peer that restarts at once with the same Node-ID and empty storage gets its range again from its admitting peer', async () => {
    const o = await buildChordOverlay({ peers: 8, seed: 5 });
    const names = Array.from({ length: 80 }, (_, i) => `r-${i}`);
    await storeAll(o, names);
    await o.settle(2000);
    const victim = o.live()[3]!;
    const ap = o.live().find((p) => toHex(p.nodeId) === toHex(victim.peer.status().successors[0]!))!;
    const mine = await inRange(victim, victim.peer.status().predecessors[0]!, names);
    expect(mine.length).toBeGreaterThan(0);
    o.kill(victim);
    // A reloaded tab keeps its certificate, so its Node-ID; it comes back through its successor
    // (its admitting peer), whose new link to it replaces the old one before that one is seen to
    // fail, so it is still that peer's first predecessor when its Join arrives. (Through another
    // peer, its Attach for n+1 chased the dead link for some 35 s, and the Join came after its
    // successor had dropped it: the re-admission never ran.)
    const again = o.createPeer({ nodeId: victim.nodeId });
    const msgs = capture(o);
    await o.clock.run(o.joinPeer(again, ap.address));
    // The re-admission ran (chord-admission.ts handleJoin, "Admitted already"): its first Join is
    // answered, not refused with Error_Forbidden (its Node-ID is still in the table).
    const joins = msgs.filter((m) => (m.from === again.address && m.name === 'join_req') || (m.to === again.address && m.from === ap.address && (m.name === 'join_ans' || m.name === 'error')));
    expect(joins.map((m) => m.name)).toEqual(['join_req', 'join_ans']);
    await o.settle(5_000);
    const from = o.live().find((p) => p !== again)!;
    const missing: string[] = [];
    for (const n of mine) {
      const f = await o.clock.run(from.peer.fetch(n, [{ kind: 4001 }]));
      expect(toHex(f.responder)).toBe(toHex(again.nodeId));
      const found = f.answer.kindResponses.flatMap((k) => k.values).some((v) => v.value.model === 'single' && v.value.singleValueEntry.exists);
      if (!found) missing.push(n);
    }
    expect(missing).toEqual([]);
    o.close();
  }, 60_000);

  it('a peer cut off and back (§10.7.4.4) gets from its successor the records stored for its range meanwhile', async () => {
    const o = createChordOverlay({ seed: 7 });
    const first = await o.clock.run(o.addPeer());
    for (let i = 0; i < 7; i++) await o.clock.run(o.addPeer({ bootstrap: first.address }));
    await o.settle(5000);
    const ring = o.live().sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));
    const p = ring.find((x, i) => x !== first && i > 0)!;
    const pred = ring[(ring.indexOf(p) + ring.length - 1) % ring.length]!;
    const cut = (loss: number) => {
      for (const q of ring) if (q !== p) o.network.setModel(p.address, q.address, { loss });
    };
    cut(1);
    await o.settle(90_000);
    expect(p.peer.status().routingTable).toEqual([]);
    // Stored while P is away: the ring gives P's range to its successor.
    const candidates = Array.from({ length: 2000 }, (_, i) => `away-${i}`);
    const names = (await inRange(p, pred.nodeId, candidates)).slice(0, 10);
    expect(names).toHaveLength(10);
    for (const n of names) expect((await o.clock.run(o.store(first, n, Uint8Array.of(1)))).ok).toBe(true);
    cut(0);
    for (let t = 0; !o.ringCheck().exact && t < 300_000; t += 5_000) await o.settle(5_000);
    expect(o.ringCheck().exact).toBe(true);
    await o.settle(5_000);
    // P answers for its range again, and has every record: its successor stored them to it when an
    // Update named P its first predecessor again, not only once the peer that fell out of their
    // replica set prunes them (the next chord-update-interval, 5 minutes).
    const missing: string[] = [];
    for (const n of names) {
      const f = await o.clock.run(first.peer.fetch(n, [{ kind: 4001 }]));
      expect(toHex(f.responder)).toBe(toHex(p.nodeId));
      if (!f.answer.kindResponses.flatMap((k) => k.values).some((v) => v.value.model === 'single' && v.value.singleValueEntry.exists)) missing.push(n);
    }
    expect(missing).toEqual([]);
    o.close();
  }, 120_000);

  it('a first predecessor whose link went suspect and recovered is not handed its range: it held it all along', async () => {
    const o = await buildChordOverlay({ peers: 8, seed: 9 });
    const names = Array.from({ length: 80 }, (_, i) => `s-${i}`);
    await storeAll(o, names);
    await o.settle(2000);
    const p = o.live()[2]!;
    const s = o.live().find((q) => toHex(q.nodeId) === toHex(p.peer.status().successors[0]!))!;
    const mine = await inRange(p, p.peer.status().predecessors[0]!, names);
    expect(mine.length).toBeGreaterThan(0);
    const cut = (loss: number) => {
      o.network.setModel(p.address, s.address, { loss });
      o.network.setModel(s.address, p.address, { loss });
    };
    const msgs = capture(o);
    cut(1);
    // Until S's link to P turns suspect (§6.6.3.1): S answers for P's range meanwhile (chord-router.ts).
    const linkState = () => s.peer.neighbours().find((n) => toHex(n.nodeId) === toHex(p.nodeId))?.link.state;
    for (let t = 0; linkState() === 'open' && t < 30_000; t += 100) await o.clock.advance(100);
    expect(linkState()).toBe('suspect');
    await o.clock.advance(2_000);
    cut(0);
    await o.settle(15_000);
    expect(linkState()).toBe('open');
    expect(toHex((await o.clock.run(s.peer.fetch(mine[0]!, [{ kind: 4001 }]))).responder)).toBe(toHex(p.nodeId));
    expect(msgs.filter((m) => m.from === s.address && m.to === p.address && m.name === 'store_req')).toEqual([]);
    o.close();
  });

  it('a normal join: the admitting peer hands over the range through its admission only, not again when the joining peer becomes its first predecessor', async () => {
    const o = await buildChordOverlay({ peers: 6, seed: 12 });
    const names = Array.from({ length: 60 }, (_, i) => `record-${i}`);
    await storeAll(o, names);
    await o.settle(2000);
    const jn = o.createPeer();
    const msgs = capture(o);
    await o.clock.run(o.joinPeer(jn));
    await o.settle(5_000);
    expect(o.ringCheck().exact).toBe(true);
    const status = jn.peer.status();
    const ap = o.live().find((q) => toHex(q.nodeId) === toHex(status.successors[0]!))!;
    const mine = await inRange(jn, status.predecessors[0]!, names);
    expect(mine.length).toBeGreaterThan(0);
    // Each Store from AP to JN, by Resource-ID (StoreReq opens with resource, opaque<0..255>, §7.4.1.1).
    const stores = new Map<string, number>();
    for (const m of msgs) {
      if (m.from !== ap.address || m.to !== jn.address || m.name !== 'store_req') continue;
      const body = decodeForwardedMessage(m.bytes, { maxMessageSize: 1 << 24 }).messageContents.messageBody;
      const id = toHex(body.subarray(1, 1 + body[0]!));
      stores.set(id, (stores.get(id) ?? 0) + 1);
    }
    const ids = await Promise.all(mine.map(async (n) => toHex(await jn.peer.resourceId(n))));
    // Step 6 and the hand-over of what was stored meanwhile (chord-admission.ts admit): twice each.
    expect(ids.map((id) => stores.get(id))).toEqual(ids.map(() => 2));
    o.close();
  });
});
