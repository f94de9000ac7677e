import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../reload/wire/codec/hex.js';
import { buildSipOverlay, type SipOverlay } from '../../usages/sip/testing/sip-overlay-fixture.js';
import { ringModel } from './ring-model.js';
import { ringStatusOf } from './ring-status.js';

let f: SipOverlay;
beforeAll(async () => {
  f = await buildSipOverlay({ peers: 6, users: ['alice'] });
}, 60_000);
afterAll(() => f?.close());

describe('ringStatusOf a real peer', () => {
  it('shows the peer\'s own successor and predecessor, and its fingers', () => {
    const alice = f.user('alice');
    const status = alice.peer.status();
    const snapshot = {
      nodeId: toHex(alice.peer.nodeId),
      userName: alice.peer.userName,
      predecessors: status.predecessors.map(toHex),
      successors: status.successors.map(toHex),
      links: alice.peer.neighbours().map(({ nodeId, link }) => ({ nodeId: toHex(nodeId), transport: 'other' as const, remoteAddress: link.remoteAddress, state: link.state })),
    };
    const ring = ringStatusOf(snapshot, alice.peer, { storedRecords: 3 })!;
    expect(ring.fingers).toEqual(status.fingers.map(toHex));
    expect(ring.storedRecords).toBe(3);
    const model = ringModel(ring);
    const successor = model.peers.find((p) => p.successorRank === 1);
    const predecessor = model.peers.find((p) => p.predecessorRank === 1);
    expect(successor?.nodeId).toBe(toHex(status.successors[0]!));
    expect(predecessor?.nodeId).toBe(toHex(status.predecessors[0]!));
    // RFC 6940 §10.1: the successor is the next peer clockwise; nobody sits between.
    const others = f.peers.map((p) => toHex(p.peer.nodeId)).filter((id) => id !== snapshot.nodeId);
    const clockwise = (id: string) => (BigInt(`0x${id}`) - BigInt(`0x${snapshot.nodeId}`) + 2n ** 128n) % 2n ** 128n;
    const nearest = others.sort((a, b) => (clockwise(a) < clockwise(b) ? -1 : 1))[0];
    expect(successor?.nodeId).toBe(nearest);
  });

  it('is undefined before the peer has a Node-ID', () => {
    expect(ringStatusOf({ predecessors: [], successors: [], links: [] } as never)).toBeUndefined();
  });
});
