import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeIdKey } from '../../forwarding/index.js';
import { ChordRouter } from './chord-router.js';
import { RING_SIZE, clockwise, idAt, ringPosition } from './ring.js';
import { RoutingTable, withinNeighbourSpans } from './routing-table.js';

/** Ids at sixteenths of the ring: at(k) = k/16 of the way round. */
const at = (k: number) => idAt((BigInt(k) * RING_SIZE) / 16n);
const keys = (list: readonly { key: string }[]) => list.map((e) => e.key);
const k = (n: number) => nodeIdKey(at(n));

describe('RoutingTable (RFC 6940 §10.3, §10.7)', () => {
  it('derives the nearest successors and predecessors from the peers it knows', () => {
    const t = new RoutingTable(at(0), 3, 3);
    for (const n of [8, 1, 15, 3, 13, 2, 12]) t.add(at(n));
    expect(keys(t.successors)).toEqual([k(1), k(2), k(3)]);
    expect(keys(t.predecessors)).toEqual([k(15), k(13), k(12)]);
    expect(t.isNeighbour(k(12))).toBe(true);
    expect(t.isNeighbour(k(8))).toBe(false);
    // A neighbour that goes is replaced by the best peer left (§10.7.1).
    t.remove(k(2));
    expect(keys(t.successors)).toEqual([k(1), k(3), k(8)]);
    expect(t.add(at(0))).toBe(false);
    expect(t.add(at(1))).toBe(false);
  });

  it('in a small ring the same peers are both successors and predecessors', () => {
    const t = new RoutingTable(at(0), 3, 3);
    t.add(at(4));
    t.add(at(9));
    expect(keys(t.successors)).toEqual([k(4), k(9)]);
    expect(keys(t.predecessors)).toEqual([k(9), k(4)]);
  });

  it('says whether a peer would enter the Neighbor Table (§10.7.3)', () => {
    const t = new RoutingTable(at(0), 2, 2);
    expect(t.wouldBeNeighbour(at(8))).toBe(true);
    for (const n of [2, 4, 12, 14]) t.add(at(n));
    expect(t.wouldBeNeighbour(at(3))).toBe(true);
    expect(t.wouldBeNeighbour(at(13))).toBe(true);
    expect(t.wouldBeNeighbour(at(8))).toBe(false);
    expect(t.wouldBeNeighbour(at(0))).toBe(false);
    // The spans follow the lists: with 4 gone the successor list is short again and takes any peer.
    t.remove(k(4));
    expect(t.wouldBeNeighbour(at(8))).toBe(true);
  });

  it('withinNeighbourSpans: nearer than a full list’s last entry, either way round; a short list takes any peer', () => {
    const pos = (n: number) => ringPosition(at(n));
    const sixteenth = RING_SIZE / 16n;
    // The peer at 14/16 with successors up to 1/16 (span 3/16) and predecessors down to 12/16 (span 2/16).
    const within = (n: number) => withinNeighbourSpans(pos(14), pos(n), 3n * sixteenth, 2n * sixteenth);
    expect([15, 0, 13].map(within)).toEqual([true, true, true]);
    // The last entries themselves are no news, nor anything beyond them.
    expect([1, 12, 8, 3].map(within)).toEqual([false, false, false, false]);
    expect(withinNeighbourSpans(pos(14), pos(8), undefined, 2n * sixteenth)).toBe(true);
    expect(withinNeighbourSpans(pos(14), pos(8), 3n * sixteenth, undefined)).toBe(true);
  });

  it('keeps one entry per finger range, the first found, and replaces a failed one from its range (§10.7.2)', () => {
    const t = new RoutingTable(at(0), 1, 1);
    // Finger 1 covers [1/2, 1); finger 2 [1/4, 1/2); finger 3 [1/8, 1/4).
    t.add(at(12));
    t.add(at(9));
    t.add(at(5));
    t.add(at(2));
    expect(t.finger(1)?.key).toBe(k(12));
    expect(t.finger(2)?.key).toBe(k(5));
    expect(t.finger(3)?.key).toBe(k(2));
    expect(t.finger(4)).toBeUndefined();
    t.remove(k(12));
    expect(t.finger(1)?.key).toBe(k(9));
    // Ascending Node-ID order, as a `full` Update lists them (§10.7).
    expect(keys(t.fingers())).toEqual([k(2), k(5), k(9)]);
  });

  it('sizes the finger table at 16 or more and skips ranges the successor list covers (§10.7.4.3)', () => {
    const t = new RoutingTable(at(0), 2, 2);
    expect(t.fingerIndices(16)).toHaveLength(16);
    t.add(idAt(1n << 100n));
    t.add(idAt(1n << 110n));
    // The final successor is at 2^110 (finger 18): ranges 19.. lie within it.
    expect(t.coveredBySuccessors(19)).toBe(true);
    expect(t.coveredBySuccessors(18)).toBe(false);
    const indices = t.fingerIndices(16);
    expect(indices[0]).toBe(1);
    expect(indices.at(-1)).toBe(18);
  });
});

describe('ChordRouter (RFC 6940 §10.1, §10.3)', () => {
  const setup = (self: number, peers: number[], opts: { inRing?: boolean; down?: number[]; lists?: number } = {}) => {
    const table = new RoutingTable(at(self), opts.lists ?? 2, opts.lists ?? 2);
    for (const n of peers) table.add(at(n));
    const down = new Set((opts.down ?? []).map(k));
    const router = new ChordRouter({ table, isUsableKey: (key) => !down.has(key), inRing: () => opts.inRing ?? true });
    return router;
  };
  const res = (v: bigint) => ({ kind: 'resource' as const, resourceId: idAt(v) });
  const sixteenth = RING_SIZE / 16n;

  it('is responsible for (predecessor, self], for everything when alone, for nothing outside the ring', () => {
    const r = setup(4, [2, 9]);
    expect(r.isResponsible(res(3n * sixteenth))).toBe(true);
    expect(r.isResponsible(res(4n * sixteenth))).toBe(true);
    expect(r.isResponsible(res(2n * sixteenth))).toBe(false);
    expect(r.isResponsible(res(5n * sixteenth))).toBe(false);
    expect(setup(4, []).isResponsible(res(12345n))).toBe(true);
    expect(setup(4, [2, 9], { inRing: false }).isResponsible(res(3n * sixteenth))).toBe(false);
  });

  it('routes to the largest known id between itself and k, else the smallest after k (§10.3)', () => {
    // Self 0; successors 1, 2; predecessors 15, 14; fingers 4, 8.
    const r = setup(0, [1, 2, 4, 8, 14, 15]);
    expect(r.nextHop(res(6n * sixteenth), new Set())).toEqual(at(4));
    expect(r.nextHop(res(8n * sixteenth), new Set())).toEqual(at(8));
    expect(r.nextHop(res(13n * sixteenth), new Set())).toEqual(at(8));
    // Route-around: the best hop's link is excluded or down.
    expect(r.nextHop(res(6n * sixteenth), new Set([k(4)]))).toEqual(at(2));
    expect(setup(0, [1, 2, 4, 8, 14, 15], { down: [4] }).nextHop(res(6n * sixteenth), new Set())).toEqual(at(2));
  });

  it('goes straight to the neighbour responsible for k when the Neighbor Table covers k', () => {
    const r = setup(0, [1, 2, 4, 8, 14, 15]);
    // k in (1, 2]: successor 2 answers for it (the RFC rule would pick 1, its predecessor).
    expect(r.nextHop(res(sixteenth + 5n), new Set())).toEqual(at(2));
    // k in (14, 15]: predecessor 15 answers for it.
    expect(r.nextHop(res(14n * sixteenth + 5n), new Set())).toEqual(at(15));
    // That neighbour unusable: back to the general rule.
    expect(r.nextHop(res(sixteenth + 5n), new Set([k(2)]))).toEqual(at(1));
  });

  it('passes a suspect responsible neighbour for the next one after it that the Neighbor Table covers k with', () => {
    // Successors 1, 2, 4; predecessors 15, 14, 8.
    const r = setup(0, [1, 2, 4, 8, 14, 15], { lists: 3, down: [2, 14] });
    // k in (1, 2], 2 suspect: 4 answers for 2's range while it is suspect (effectivePredecessor), not
    // 1, past which the message would have to come back.
    expect(r.nextHop(res(sixteenth + 5n), new Set())).toEqual(at(4));
    // k in (8, 14], 14 suspect: 15, the next predecessor after it.
    expect(r.nextHop(res(13n * sixteenth), new Set())).toEqual(at(15));
    // No usable one left after it: the general rule.
    expect(r.nextHop(res(sixteenth + 5n), new Set([k(4)]))).toEqual(at(1));
  });

  it('answers for the ranges of suspect predecessors up to the nearest usable peer of its table', () => {
    // Self 0; predecessors 15, 14 (both suspect); 12 further back in the table.
    const r = setup(0, [1, 2, 12, 14, 15], { down: [14, 15] });
    expect(r.effectivePredecessor()?.key).toBe(k(12));
    expect(r.isResponsible(res(13n * sixteenth))).toBe(true);
    expect(r.isResponsible(res(12n * sixteenth))).toBe(false);
    // Nothing usable on the predecessor side (a usable successor is no predecessor): the nearest predecessor still bounds the range.
    expect(setup(0, [14, 15], { down: [14, 15] }).effectivePredecessor()?.key).toBe(k(15));
    expect(setup(0, [1, 2, 8, 14, 15], { down: [8, 14, 15] }).effectivePredecessor()?.key).toBe(k(15));
    // A usable peer far back (a finger, past twice the predecessor list's span) is not taken: it would claim half the ring.
    expect(setup(0, [1, 2, 8, 14, 15], { down: [14, 15] }).effectivePredecessor()?.key).toBe(k(15));
    expect(setup(0, [1, 2, 3, 14, 15], { down: [14, 15] }).isResponsible(res(4n * sixteenth))).toBe(false);
  });

  it('has no next hop without usable peers', () => {
    expect(setup(0, []).nextHop(res(5n), new Set())).toBeUndefined();
    expect(setup(0, [3], { down: [3] }).nextHop(res(5n), new Set())).toBeUndefined();
  });

  it('routes a Node-ID like a Resource-ID at its position', () => {
    const r = setup(0, [1, 2, 4, 8, 14, 15]);
    expect(r.nextHop({ kind: 'node', nodeId: at(6) }, new Set())).toEqual(at(4));
    expect(ringPosition(at(6))).toBe(6n * sixteenth);
  });

  it('picks the hop of the RFC rule, over a table kept in ring order, in any table (binary search against a plain pass)', () => {
    const pos = fc.bigInt({ min: 1n, max: RING_SIZE - 1n });
    fc.assert(
      fc.property(
        fc.uniqueArray(pos, { minLength: 0, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.bigInt({ min: 0n, max: RING_SIZE - 1n }),
        (members, removed, down, excluded, target) => {
          const table = new RoutingTable(idAt(0n), 3, 3);
          for (const m of members) table.add(idAt(m));
          const pick = (i: number) => nodeIdKey(idAt(members[i % members.length]!));
          if (members.length > 0) for (const i of removed) table.remove(pick(i));
          const downKeys = new Set(members.length > 0 ? down.map(pick) : []);
          const exclude = new Set(members.length > 0 ? excluded.map(pick) : []);
          const router = new ChordRouter({ table, isUsableKey: (key) => !downKeys.has(key), inRing: () => true });
          // The table stays in ring order, and its lists are its two ends.
          const dists = table.members.map((e) => e.dist);
          expect(dists).toEqual([...dists].sort((a, b) => (a < b ? -1 : 1)));
          expect(table.successors).toEqual(table.members.slice(0, 3));
          expect(table.predecessors).toEqual([...table.members].reverse().slice(0, 3));
          // The §10.3 rule by a plain pass, with the shortcut to a known responsible neighbour first.
          const ok = (e: { key: string }) => !exclude.has(e.key) && !downKeys.has(e.key);
          const dk = clockwise(0n, target);
          const usable = table.members.filter(ok);
          const within = usable.filter((e) => e.dist <= dk);
          const past = usable.filter((e) => e.dist > dk);
          const rfc = within.length > 0 ? within[within.length - 1] : past[0];
          const got = router.nextHop(res(target), exclude);
          const shortcut = got !== undefined && rfc !== undefined && nodeIdKey(got) !== rfc.key;
          if (!shortcut) expect(got && nodeIdKey(got)).toBe(rfc?.key);
          else {
            // Only the neighbour known to be responsible for k may replace the rule's hop, and it lies past k.
            const e = table.get(nodeIdKey(got))!;
            expect(table.isNeighbour(e.key) && ok(e)).toBe(true);
            expect(clockwise(target, e.pos) < clockwise(target, rfc.pos) || rfc.dist <= dk).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
