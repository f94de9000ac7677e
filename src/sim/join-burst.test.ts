/**
 * Many joins at once into a young overlay (RFC 6940 §10.5): a workshop where thirty laptops scan
 * one QR code. Two things made most of them wait seconds:
 * - the admitting peer refuses a Join (Error_Forbidden) when a node that joined a moment earlier
 *   took the joining node's place next to it; that answer means the joining node's picture of
 *   the ring is out of date, and it now starts over at once instead of backing off for 1-2 s
 *   (JOIN_QUICK_RETRIES);
 * - each joining node sent some sixteen finger Attaches (step 3) that the one or two peers of the
 *   ring all answered themselves; hundreds arriving at once went over the bound on requests in
 *   progress (transport's inbound limiter), were dropped and retransmitted 3 s later. When the
 *   admitting peer's lists were short of their sizes, its Update named the whole ring, so no finger
 *   search is sent.
 */
import { describe, expect, it } from 'vitest';
import { createChordOverlay } from './chord-overlay.js';

describe('a burst of joins into a one-peer overlay (RFC 6940 §10.5)', () => {
  // Eight seeds: before, the last node took 3.3-3.6 s with 16 seeds of 1-20 (not 2, 4, 8, 20), for
  // one of three reasons, each a message waiting out the 3 s overlay-reliability-timer: a frame
  // still in flight on a link closed as a duplicate (seeds 1, 3, 7; link-table.ts, retired links);
  // an answer rejected by §6.3.4 check 2 (seed 5; ClientTransaction.answerRejected); the Attach for
  // n+1 looping while the ring changed (seed 6; chord-join.ts, JOIN_QUICK_RETRIES). Each of those
  // seeds fails with its fix taken out. Now every one of the twenty is in within 0.84 s.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('thirty nodes joining at once are all in within a second and a half, most within one, and the ring is exact (seed %i)', async (seed) => {
    const o = createChordOverlay({ seed });
    await o.clock.run(o.addPeer());
    const took: number[] = [];
    await o.clock.run(
      Promise.all(
        Array.from({ length: 30 }, async () => {
          const p = o.createPeer();
          const t0 = o.clock.now();
          await o.joinPeer(p);
          took.push(o.clock.now() - t0);
        }),
      ),
    );
    took.sort((a, b) => a - b);
    // Virtual milliseconds (10 ms links). Before the quick restarts and the finger search left out
    // (seed 2): median 4.2 s, last 8.0 s.
    expect(took[14]!).toBeLessThan(1_000);
    expect(took[29]!).toBeLessThan(1_500);
    await o.settle(30_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 31 });
    o.close();
  });
});
