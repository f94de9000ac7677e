/**
 * Joins next to peers that have just died without a word (RFC 6940 §10.5), the causes of the
 * 3–15 s outliers of the page-load → joined bench (a tab closed or reloaded just after it joined).
 * In the real network a dead peer is still in its neighbours' tables until its link is found dead:
 * - the Attach to it is dropped silently on the way (§6.1.1), failing only after its 5th
 *   transmission (§6.2.1: some 15 s). The Join waits for the Attaches of steps 3-4 at most
 *   JOIN_ATTACHES_WAIT_MS;
 * - its admitting peer was still handing data over to it (our second hand-over after step 7),
 *   and every later Join waited in the admission queue behind Stores nobody would answer. The
 *   queue now moves on once step 7 is done.
 * Either way the node joins within a few seconds and the ring is exact afterwards.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JOIN_ATTACHES_WAIT_MS } from '../reload/topology/chord/chord-join.js';
import { idAt, ringPosition } from '../reload/topology/chord/ring.js';
import type { NodeId } from '../reload/wire/ids.js';
import { buildChordOverlay } from './chord-overlay.js';
import { isAttachTo } from './testing/capture-messages.js';

/** Virtual ms from now until `p` settles. */
async function timed(o: Awaited<ReturnType<typeof buildChordOverlay>>, p: Promise<unknown>): Promise<number> {
  const t0 = o.clock.now();
  await o.clock.run(p);
  return o.clock.now() - t0;
}

describe('joining beside peers that just vanished (RFC 6940 §10.5)', () => {
  it('sends the Join after JOIN_ATTACHES_WAIT_MS instead of waiting out the Attach’s retransmissions', async () => {
    let silent: NodeId | undefined;
    const o = await buildChordOverlay({ peers: 8, seed: 71, network: { model: { drop: (frame) => silent !== undefined && isAttachTo(frame, silent) } } });
    const neighbour = o.live()[3]!;
    silent = neighbour.nodeId;
    // Just after `neighbour`: it is the joining node's predecessor, named in AP's full Update.
    const jn = o.createPeer({ nodeId: idAt(ringPosition(neighbour.nodeId) + 1n), bootstrap: o.live()[0]!.address });
    const took = await timed(o, o.joinPeer(jn));
    expect(took).toBeGreaterThanOrEqual(JOIN_ATTACHES_WAIT_MS);
    expect(took).toBeLessThan(JOIN_ATTACHES_WAIT_MS + 2_000);
    silent = undefined;
    await o.settle(60_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 9 });
    o.close();
  });

  it('admits the next joining node while the one before, gone right after step 7, still has data handed to it', async () => {
    let vanished: string | undefined;
    const o = await buildChordOverlay({ peers: 8, seed: 72, network: { model: { drop: (_frame, _from, to) => to === vanished } } });
    // A record whose Resource-ID lies just below the first joining node: it is in that node's range,
    // so its admitting peer hands it over twice (step 6, and again after step 7).
    const name = 'handed-over-record';
    expect((await o.clock.run(o.store(o.live()[0]!, name, new Uint8Array([1])))).ok).toBe(true);
    const r = ringPosition(createHash('sha1').update(name).digest().subarray(0, 16));
    const first = o.createPeer({ nodeId: idAt(r + 1n), bootstrap: o.live()[1]!.address });
    await o.clock.run(o.joinPeer(first));
    // The tab is closed the moment it has joined: nothing reaches it any more, no Leave is sent.
    vanished = first.address;
    // Between it and their admitting peer: the same admitting peer admits this one next.
    const next = o.createPeer({ nodeId: idAt(r + 2n), bootstrap: o.live()[2]!.address });
    const took = await timed(o, o.joinPeer(next));
    // It waits for its Attach to the vanished node at most JOIN_ATTACHES_WAIT_MS (the test
    // above), not for that node's admission to time out (the Join's own 15 s lifetime, §6.2.1).
    expect(took).toBeLessThan(JOIN_ATTACHES_WAIT_MS + 2_000);
    o.kill(first);
    await o.settle(60_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 9 });
    expect((await o.clock.run(o.fetch(o.live()[3]!, name))).ok).toBe(true);
    o.close();
  });
});
