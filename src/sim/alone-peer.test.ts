/**
 * A joined peer that loses every link at once (a network outage; in `chordphone serve`'s e2e runs,
 * every link of the process closed after its event loop was blocked) finds the ring again through
 * its bootstrap node (chord-stabilization.ts `alone`, RFC 6940 §10.7.4.4's partition check) rather
 * than answering for the whole Resource-ID space by itself until the hourly check. Likewise peers
 * that lost their bootstrap node (its server restarted and started a ring of its own) look for its
 * ring through it again (chord-stabilization.ts `bootstrapLost`).
 */
import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../reload/runtime/components.js';
import { BOOTSTRAP_LOST_LOOKS } from '../reload/topology/chord/chord-stabilization.js';
import { buildChordOverlay, createChordOverlay } from './chord-overlay.js';

const utf8 = new TextEncoder();

describe('a peer that lost every link (RFC 6940 §10.7.4.4)', () => {
  it('finds the ring again through its bootstrap node within seconds: its lists fill, and it fetches what others stored', async () => {
    const o = await buildChordOverlay({ peers: 12, seed: 7 });
    const [storer, , , alone] = o.live();
    expect((await o.clock.run(o.store(storer!, 'kept-elsewhere', utf8.encode('found')))).ok).toBe(true);
    // Every link of `alone` closes at once; the peer itself runs on, joined.
    for (const n of alone!.peer.neighbours()) n.link.close();
    await o.settle(500);
    expect(alone!.peer.neighbours()).toEqual([]);
    expect(alone!.peer.status().successors).toEqual([]);
    await o.settle(10_000);
    expect(alone!.peer.status().successors.length).toBeGreaterThan(0);
    const check = o.ringCheck();
    expect(check.mismatches.map((m) => m.address)).toEqual([]);
    const fetched = await o.clock.run(o.fetch(alone!, 'kept-elsewhere'));
    expect(fetched.value).toEqual(utf8.encode('found'));
    o.close();
  });

  it('peers that lost their bootstrap node find the ring it starts when it comes back within minutes, not at the hourly check', async () => {
    const o = createChordOverlay({ seed: 5, configuration: { chordUpdateInterval: 30 } });
    const server = await o.clock.run(o.addPeer());
    for (let i = 0; i < 5; i++) await o.clock.run(o.addPeer({ bootstrap: server.address }));
    await o.settle(2_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 6 });
    // The server goes (its links go silent); the five tabs keep their ring.
    o.kill(server);
    await o.settle(60_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 5 });
    // It comes back on the same address with the same Node-ID and, its bootstrap address its own,
    // starts a ring alone (§6.4.2.1); a tab that arrives now joins through it.
    const back = o.createPeer({ address: server.address, nodeId: server.nodeId, bootstrap: server.address });
    await o.clock.run(o.joinPeer(back));
    await o.clock.run(o.addPeer({ bootstrap: server.address }));
    // One ring again (before: two, until the periodic check an hour on).
    await o.settle(5 * 60_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 7 });
    o.close();
  });

  it(`peers that lost their bootstrap node for good look for it ${BOOTSTRAP_LOST_LOOKS} times at most, then leave it to the periodic check`, async () => {
    let failedChecks = 0;
    const logger: Logger = { ...silentLogger, debug: (message) => void (message === 'partition check failed' && failedChecks++) };
    // No periodic partition check (an hour, at a random offset): every check counted is bootstrapLost's.
    const o = createChordOverlay({ seed: 5, logger, chord: { partitionCheckIntervalMs: 0 } });
    const server = await o.clock.run(o.addPeer());
    for (let i = 0; i < 5; i++) await o.clock.run(o.addPeer({ bootstrap: server.address }));
    await o.settle(2_000);
    o.kill(server);
    await o.settle(30 * 60_000);
    const after30 = failedChecks;
    expect(after30).toBeGreaterThan(0);
    expect(after30).toBeLessThanOrEqual(5 * BOOTSTRAP_LOST_LOOKS);
    await o.settle(20 * 60_000);
    expect(failedChecks).toBe(after30);
    o.close();
  });

  // RFC 6940 §6.4.2.3 "When a peer detects through an Update that it is no longer responsible for
  // any data value it is storing, it MUST attempt to Store a copy to the correct node ... such as
  // the merging of partitioned overlays". A peer alone answers for the whole Resource-ID space, so a
  // Store made then (a SIP registration refreshed at a wake, RFC 7904 §3.1; its certificate, §8)
  // succeeds here with hops 0; once the ring is found again it must reach the peer responsible.
  it('a Store made while alone is found by the others once the ring is found again (§6.4.2.3)', async () => {
    const o = await buildChordOverlay({ peers: 12, seed: 7 });
    const [other, , , alone] = o.live();
    for (const n of alone!.peer.neighbours()) n.link.close();
    await o.settle(300);
    expect(alone!.peer.neighbours()).toEqual([]);
    expect(await o.clock.run(o.store(alone!, 'stored-alone', utf8.encode('mine')))).toMatchObject({ ok: true, hops: 0 });
    await o.settle(300_000);
    expect(alone!.peer.status().successors.length).toBeGreaterThan(0);
    const fetched = await o.clock.run(o.fetch(other!, 'stored-alone'));
    o.close();
    expect(fetched.value).toEqual(utf8.encode('mine'));
  });
});
