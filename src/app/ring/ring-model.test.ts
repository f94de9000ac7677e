import { describe, expect, it } from 'vitest';
import { formatPosition, ringModel, ringPosition, type RingStatus } from './ring-model.js';

/** A 128-bit Node-ID (32 hex digits) at `fraction` of the ring. */
const at = (fraction: number) => (BigInt(Math.round(fraction * 2 ** 20)) << 108n).toString(16).padStart(32, '0');

const SELF = at(0.25);
const status: RingStatus = {
  nodeId: SELF,
  userName: 'alice',
  predecessors: [at(0.2), at(0.1)],
  successors: [at(0.3), at(0.5)],
  fingers: [at(0.5), at(0.75), at(0.3)],
  links: [
    { nodeId: at(0.3), transport: 'webrtc', state: 'open', rttMs: 12 },
    { nodeId: at(0.2), transport: 'websocket', state: 'open' },
  ],
};

describe('ringPosition (RFC 6940 §10.1: NodeId / 2^128)', () => {
  it.each([
    ['00000000000000000000000000000000', 0],
    ['80000000000000000000000000000000', 0.5],
    ['40000000000000000000000000000000', 0.25],
    ['C0000000000000000000000000000000', 0.75],
    ['ffffffffffffffffffffffffffffffff', 1 - 2 ** -53],
    ['8', 0.5],
  ])('%s → %s', (hex, expected) => {
    expect(ringPosition(hex)).toBeCloseTo(expected, 12);
  });

  it.each(['', 'xyz', '12 34', '0x80', 'f'.repeat(65)])('rejects %j', (hex) => {
    expect(ringPosition(hex)).toBeUndefined();
  });
});

describe('ringModel', () => {
  const m = ringModel(status);

  it('puts this peer at angle 360° · NodeId / 2^128, 0 at 12 o\'clock, clockwise', () => {
    expect(m.self.angleDeg).toBe(90);
    // 90°: 3 o'clock, on the ring's right.
    expect(m.self.x).toBeCloseTo(m.center + m.radius, 1);
    expect(m.self.y).toBeCloseTo(m.center, 1);
    const top = ringModel({ nodeId: at(0), predecessors: [], successors: [] });
    expect(top.self).toMatchObject({ x: top.center, y: top.center - top.radius, angleDeg: 0 });
    const bottom = ringModel({ nodeId: at(0.5), predecessors: [], successors: [] });
    expect(bottom.self).toMatchObject({ x: bottom.center, y: bottom.center + bottom.radius, angleDeg: 180 });
  });

  it('marks predecessors and successors by rank, nearest first', () => {
    const byId = new Map(m.peers.map((p) => [p.nodeId, p]));
    expect(byId.get(at(0.3))).toMatchObject({ successorRank: 1, angleDeg: 108 });
    expect(byId.get(at(0.5))).toMatchObject({ successorRank: 2, angleDeg: 180 });
    expect(byId.get(at(0.2))).toMatchObject({ predecessorRank: 1, angleDeg: 72 });
    expect(byId.get(at(0.1))?.predecessorRank).toBe(2);
    expect(byId.get(at(0.75))?.roles).toEqual(['finger']);
    expect(byId.get(at(0.3))?.roles).toEqual(['successor', 'finger', 'link']);
  });

  it('lists each peer once, clockwise from this one', () => {
    expect(m.peers.map((p) => p.angleDeg)).toEqual([108, 180, 270, 36, 72]);
    expect(new Set(m.peers.map((p) => p.nodeId)).size).toBe(m.peers.length);
  });

  it('draws the successor, the predecessor and the other fingers as edges from this peer', () => {
    expect(m.edges.map((e) => [e.kind, e.nodeId])).toEqual([
      ['successor', at(0.3)],
      ['finger', at(0.5)],
      ['finger', at(0.75)],
      ['predecessor', at(0.2)],
    ]);
    for (const e of m.edges) expect(e.from).toEqual({ x: m.self.x, y: m.self.y });
  });

  it('attaches link details and counts', () => {
    expect(m.peers.find((p) => p.nodeId === at(0.3))?.link).toMatchObject({ transport: 'webrtc', rttMs: 12 });
    expect(m.counts).toEqual({ peersSeen: 5, links: 2 });
    expect(ringModel({ ...status, peersSeen: 40, storedRecords: 7, replicas: 3 }).counts).toEqual({ peersSeen: 40, links: 2, storedRecords: 7, replicas: 3 });
  });

  it('labels with user names where known, short hex otherwise, outside the ring', () => {
    const named = ringModel({ ...status, names: { [at(0.3)]: 'bob' } });
    const bob = named.peers.find((p) => p.nodeId === at(0.3))!;
    expect(bob.label).toBe('bob');
    expect(named.peers.find((p) => p.nodeId === at(0.75))?.label).toBe(`${at(0.75).slice(0, 4)}…`);
    expect(named.self.label).toBe('alice');
    const r = Math.hypot(bob.labelX - named.center, bob.labelY - named.center);
    expect(r).toBeGreaterThan(named.radius);
    // Right half anchors at the start, left half at the end, so labels never cross the ring.
    expect(bob.labelAnchor).toBe('start');
    expect(named.peers.find((p) => p.nodeId === at(0.75))?.labelAnchor).toBe('end');
  });

  it('grows the viewBox so labels on either side are not cut off', () => {
    const wide = ringModel({ nodeId: at(0), predecessors: [at(0.75)], successors: [at(0.25)], names: { [at(0.25)]: 'a-long-user-name' } });
    const right = wide.peers.find((p) => p.nodeId === at(0.25))!;
    expect(right.label).toBe('a-long-us…');
    expect(wide.viewBox.x).toBeLessThan(0);
    expect(wide.viewBox.x + wide.viewBox.width).toBeGreaterThan(right.labelX + 'S1 a-long-us…'.length * 0.5 * wide.labelFontSize);
    const alone = ringModel({ nodeId: at(0), predecessors: [], successors: [] });
    expect(alone.viewBox).toEqual({ x: 0, y: 0, width: alone.size, height: alone.size });
  });

  it('staggers labels of peers close together', () => {
    const crowded = ringModel({ nodeId: at(0), predecessors: [], successors: [at(0.1), at(0.101), at(0.102)] });
    const radii = crowded.peers.map((p) => Math.round(Math.hypot(p.labelX - crowded.center, p.labelY - crowded.center)));
    expect(radii[0]).not.toBe(radii[1]);
    expect(radii[1]).not.toBe(radii[2]);
  });

  it('draws routes through known peers, hop by hop', () => {
    const routed = ringModel({ ...status, routes: [{ path: [SELF, at(0.5), at(0.6)], label: 'Fetch bob' }] });
    expect(routed.routes).toHaveLength(1);
    expect(routed.routes[0]!.label).toBe('Fetch bob');
    expect(routed.routes[0]!.points).toHaveLength(3);
    expect(routed.routes[0]!.points[0]).toEqual({ x: routed.self.x, y: routed.self.y });
    expect(routed.peers.find((p) => p.nodeId === at(0.6))?.roles).toEqual(['route']);
  });

  it('leaves out Node-IDs that are not hex and says which', () => {
    const bad = ringModel({ nodeId: SELF, predecessors: ['not-hex'], successors: [at(0.3)], fingers: [''] });
    expect(bad.invalid).toEqual(['not-hex', '']);
    expect(bad.peers.map((p) => p.nodeId)).toEqual([at(0.3)]);
  });

  it('describes the picture in words', () => {
    expect(m.description).toContain(`sits at ${formatPosition(0.25)}`);
    expect(m.description).toContain(`predecessor is ${at(0.2).slice(0, 4)}… at 20.0\u00a0%`);
    expect(m.description).toContain(`successor is ${at(0.3).slice(0, 4)}… at 30.0\u00a0%`);
    expect(ringModel({ nodeId: SELF, predecessors: [], successors: [] }).description).toContain('no successor yet');
  });
});
