/**
 * client-updates.ts: the range-change Updates a peer sends to the nodes linked to it that are in
 * no routing table entry (clients, RFC 6940 §4.2.1, §6.4.1): only to those whose Node-ID was in
 * our range, (first predecessor, us] (§10.1), and is no longer. The plug-in is a scripted status
 * and event source; the transport records each Update's addressee.
 */
import { describe, expect, it } from 'vitest';
import type { TopologyEvent, TopologyStatus } from '../topology/topology-plugin.js';
import { toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { notifyClientsOfRangeChanges } from './client-updates.js';

const id = (b: number): NodeId => new Uint8Array(16).fill(b);
const SELF = id(0x80);
const SUCCESSOR = id(0x90);

/** A peer at 0x80.. linked to `linked` (none in its routing table), whose first predecessor the test sets. */
function peerLinkedTo(linked: readonly NodeId[]) {
  let listener: ((e: TopologyEvent) => void) | undefined;
  let pred: NodeId | undefined;
  let joined = true;
  const status = (): TopologyStatus => {
    const predecessors = pred ? [pred] : [];
    return { algorithm: 'CHORD-RELOAD', state: joined ? 'joined' : 'bootstrapping', joined, nodeId: SELF, predecessors, successors: [SUCCESSOR], fingers: [], routingTable: [...predecessors, SUCCESSOR], uptime: 1 };
  };
  const sent: string[] = [];
  notifyClientsOfRangeChanges({
    transport: {
      request: ((to: readonly { nodeId: NodeId }[]) => {
        sent.push(toHex(to[0]!.nodeId).slice(0, 2));
        return Promise.resolve({});
      }) as never,
    },
    forwarding: { neighbours: () => linked.map((nodeId) => ({ nodeId, link: {} as never })), isUsable: () => true },
    topology: { status, subscribe: (l) => ((listener = l), () => {}) },
  });
  return {
    sent,
    /** Our first predecessor becomes `p` (undefined: alone, the whole ring ours), as chord-maintenance.ts tells it. */
    predecessor(p: NodeId | undefined) {
      pred = p;
      listener!({ type: 'neighbors', predecessors: status().predecessors, successors: [SUCCESSOR] });
    },
    state(isJoined: boolean) {
      joined = isJoined;
      listener!({ type: 'state', state: status().state });
    },
  };
}

describe('notifyClientsOfRangeChanges: Updates only to linked nodes whose Node-ID left our range (§6.4.1, §10.1)', () => {
  it('a linked node whose Node-ID was never in our range gets no Update when our first predecessor changes (audit attachclient, defect 3)', () => {
    const p = peerLinkedTo([id(0x20)]);
    p.predecessor(id(0x70));
    p.predecessor(id(0x78)); // (0x70, 0x80] → (0x78, 0x80]
    p.predecessor(id(0x7c));
    expect(p.sent).toEqual([]);
  });

  it('a linked node whose Node-ID was in our range and is not in the new one gets one Update; one still in it gets none', () => {
    const p = peerLinkedTo([id(0x74), id(0x7e)]);
    p.predecessor(id(0x70));
    p.predecessor(id(0x78)); // 0x74.. left (0x78, 0x80]; 0x7e.. is still ours
    expect(p.sent).toEqual(['74']);
  });

  it('the first range we hold (the first neighbors event) is no change: no Updates', () => {
    const p = peerLinkedTo([id(0x20), id(0x74)]);
    p.predecessor(id(0x78));
    expect(p.sent).toEqual([]);
  });

  it('alone (the whole ring ours), then a first predecessor: the linked nodes outside our new range get an Update', () => {
    const p = peerLinkedTo([id(0x20), id(0x7e)]);
    p.state(true); // joined as the first peer of the overlay: no predecessor
    p.predecessor(id(0x70));
    expect(p.sent).toEqual(['20']);
  });
});
