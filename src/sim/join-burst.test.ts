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
  it('thirty nodes joining at once are all in within a couple of seconds, most within one, and the ring is exact', async () => {
    const o = createChordOverlay({ seed: 2 });
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
    // Virtual milliseconds (10 ms links). Before: median 4.2 s, last 8.0 s.
    expect(took[14]!).toBeLessThan(1_000);
    expect(took[29]!).toBeLessThan(2_000);
    await o.settle(30_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 31 });
    o.close();
  });
});
