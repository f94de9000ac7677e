/**
 * A joined peer that loses every link at once (a network outage; in `chordphone serve`'s e2e runs,
 * every link of the process closed after its event loop was blocked) finds the ring again through
 * its bootstrap node (chord-stabilization.ts `alone`, RFC 6940 §10.7.4.4's partition check) rather
 * than answering for the whole Resource-ID space by itself until the hourly check.
 */
import { describe, expect, it } from 'vitest';
import { buildChordOverlay } from './chord-overlay.js';

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
});
