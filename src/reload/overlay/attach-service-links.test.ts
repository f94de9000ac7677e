/**
 * AttachService between two peers whose links to each other come up twice: the one link per
 * neighbour both ends keep (RFC 6940 §6.5.1.2's tie-breaker's choice), and a link that stops
 * carrying frames replaced at both ends. The two peers, their ICE fabric and transport:
 * testing/attach-pair.ts; over real FramedLinks (testing/attach-links.ts Wire) where frames are lost.
 */
import { describe, expect, it } from 'vitest';
import { RETIRED_LINK_GRACE_MS } from '../forwarding/link-table.js';
import { LINK_CHECK_MS } from '../links/link-check.js';
import type { FakeLink } from '../testing/fake-link.js';
import type { Wire } from './testing/attach-links.js';
import { ICE_CHECK_MS, LARGER, LATENCY_MS, SMALLER, framedPairs, pairOf } from './testing/attach-pair.js';

describe('AttachService: one link per neighbour', () => {
  it('both ends keep the link opened by the smaller Node-ID even when one end sees it suspect, and the neighbour outlives the retired link', async () => {
    const { clock, small, large, kept } = pairOf();
    // L1: the smaller peer's Attach.
    await clock.run(small.service.attach([{ kind: 'node', nodeId: LARGER }]));
    expect(kept()).toEqual(['L1 open', 'L1 open']);
    // At the larger end alone, L1's acks stop: it Attaches again, and L2 comes up at both ends.
    (large.table.get(SMALLER) as unknown as FakeLink).setState('suspect');
    const again = large.service.attach([{ kind: 'node', nodeId: SMALLER }]);
    await clock.advance(2 * LATENCY_MS + ICE_CHECK_MS);
    expect(kept()).toEqual(['L1 open', 'L1 suspect']);
    // Acks resume; the retired L2 closes at both ends; L1 stays.
    (large.table.get(SMALLER) as unknown as FakeLink).setState('open');
    await expect(clock.run(again)).resolves.toEqual(SMALLER);
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });
});

describe('AttachService: a link that stops carrying frames is replaced at both ends', () => {
  /** The smaller peer's Attach makes L1 (the tie-breaker's choice over any later link from the larger). */
  async function linked() {
    const wires: [Wire, Wire][] = [];
    const p = pairOf((clock) => framedPairs(clock, wires));
    await p.clock.run(p.small.service.attach([{ kind: 'node', nodeId: LARGER }]));
    expect(p.kept()).toEqual(['L1 open', 'L1 open']);
    return { ...p, wires };
  }

  // L1's wires: [the smaller peer's side (it offered), the larger peer's side].
  it.each([
    ['from the smaller peer to the larger', [true, false]],
    ['from the larger peer to the smaller', [false, true]],
    ['either way', [true, true]],
  ] as const)('L1 lost %s: the larger peer, which sees it suspect, Attaches again and both ends keep the new link within LINK_CHECK_MS of it', async (_way, [smallSideLost, largeSideLost]) => {
    const { clock, small, large, kept, wires } = await linked();
    const l1 = [small.table.get(LARGER)!, large.table.get(SMALLER)!];
    wires[0]![0].carries = !smallSideLost;
    wires[0]![1].carries = !largeSideLost;
    // The larger peer sends on L1; no ack comes back. The smaller end, with nothing outstanding, sees nothing wrong.
    large.table.get(SMALLER)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 open', 'L1 suspect']);
    const start = clock.now();
    await expect(clock.run(large.service.attach([{ kind: 'node', nodeId: SMALLER }]))).resolves.toEqual(SMALLER);
    expect(kept()).toEqual(['L2 open', 'L2 open']);
    expect(clock.now() - start).toBeLessThanOrEqual(2 * LATENCY_MS + ICE_CHECK_MS + LINK_CHECK_MS);
    // Each end closes its own L1 (the close may not get through).
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(l1.map((l) => l.state)).toEqual(['closed', 'closed']);
    expect(kept()).toEqual(['L2 open', 'L2 open']);
  });

  it('L1 lost either way, both peers Attach at once: the smaller peer\'s, cancelled for the larger\'s (§6.5.1.2), waits while the new link is retired pending the check, and gets it when it replaces L1 (review 3)', async () => {
    const { clock, small, large, kept, wires } = await linked();
    for (const w of wires[0]!) w.carries = false;
    for (const [p, other] of [[small, LARGER], [large, SMALLER]] as const) p.table.get(other)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 suspect', 'L1 suspect']);
    const start = clock.now();
    const both = Promise.all([small.service.attach([{ kind: 'node', nodeId: LARGER }]), large.service.attach([{ kind: 'node', nodeId: SMALLER }])].map((a) => a.catch((e: unknown) => e)));
    await clock.advance(2 * LATENCY_MS + ICE_CHECK_MS);
    // L3 (the larger peer's offer; the smaller's, L2, was cancelled) is up and retired at both ends: L1, opened by the smaller peer, is being checked.
    expect(kept()).toEqual(['L1 suspect', 'L1 suspect']);
    await expect(clock.run(both)).resolves.toEqual([LARGER, SMALLER]);
    expect(kept()).toEqual(['L3 open', 'L3 open']);
    expect(clock.now() - start).toBeLessThanOrEqual(2 * LATENCY_MS + ICE_CHECK_MS + LINK_CHECK_MS);
  });

  it('L1 carries frames again by the time the new link is up: both ends keep L1 and the new link closes', async () => {
    const { clock, small, large, kept, wires } = await linked();
    wires[0]![1].carries = false;
    large.table.get(SMALLER)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 open', 'L1 suspect']);
    wires[0]![1].carries = true;
    const again = large.service.attach([{ kind: 'node', nodeId: SMALLER }]);
    await expect(clock.run(again)).resolves.toEqual(SMALLER);
    await clock.advance(LINK_CHECK_MS + RETIRED_LINK_GRACE_MS);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
    expect(wires).toHaveLength(2);
    // The retired L2 is closed at both ends, not left open beside L1.
    expect(wires[1]!.map((w) => w.isClosed)).toEqual([true, true]);
  });
});
