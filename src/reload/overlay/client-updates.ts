/**
 * The peer's side of client support (RFC 6940 §4.2.1, §6.4.1): "All overlay algorithms MUST specify
 * maintenance procedures that send Updates to clients and peers that have established connections
 * to the peer responsible for a particular ID when the responsibility for that ID changes." The
 * Chord plug-in sends its Updates to its routing table; the nodes linked to this peer that are in
 * no routing table entry (clients, §4.2.1: "these updates can indicate that the peer is no longer
 * responsible for the client's Node-ID") get the same `neighbors` Update here, when our range
 * changes (our first predecessor, §10.1: we are responsible for (predecessor, us]) so that their
 * Node-ID is no longer in it.
 *
 * The Update goes over the link only (TTL 0, as Chord's own Updates to neighbours): a client that
 * has gone away is not chased through the overlay.
 */
import type { Forwarding } from '../forwarding/index.js';
import { nodeIdKey } from '../forwarding/index.js';
import { silentLogger, type Logger } from '../runtime/components.js';
import type { TopologyEvent, TopologyStatus } from '../topology/topology-plugin.js';
import type { MessageTransport } from '../transport/index.js';
import { inHalfOpen, ringPosition } from '../topology/chord/ring.js';
import type { NodeId } from '../wire/ids.js';
import { ChordUpdateType } from '../wire/methods/chord.js';

export interface ClientUpdatesDeps {
  readonly transport: Pick<MessageTransport, 'request'>;
  readonly forwarding: Pick<Forwarding, 'neighbours' | 'isUsable'>;
  readonly topology: { status(): TopologyStatus; subscribe(listener: (event: TopologyEvent) => void): () => void };
  readonly logger?: Logger;
}

/** Start sending range-change Updates to the linked nodes outside the routing table; returns the stop function. */
export function notifyClientsOfRangeChanges(deps: ClientUpdatesDeps): () => void {
  const log = deps.logger ?? silentLogger;
  let firstPredecessor: string | undefined;
  return deps.topology.subscribe((e) => {
    if (e.type !== 'neighbors') return;
    const pred = e.predecessors[0];
    const key = pred ? nodeIdKey(pred) : undefined;
    if (key === firstPredecessor) return;
    firstPredecessor = key;
    const status = deps.topology.status();
    if (!status.joined) return;
    // The plug-in's own range-change Updates reach its routing table: those get no second one here.
    const inTable = new Set((status.routingTable ?? [...status.predecessors, ...status.successors, ...status.fingers]).map(nodeIdKey));
    // Only those whose Node-ID left our range (§10.1: (first predecessor, us]): responsibility for
    // them changed; for the others it did not, and a linked peer outside the table is not bothered.
    const self = ringPosition(status.nodeId);
    const stillOurs = (id: NodeId) => pred === undefined || inHalfOpen(ringPosition(id), ringPosition(pred), self);
    const others: NodeId[] = deps.forwarding
      .neighbours()
      .map((n) => n.nodeId)
      .filter((id) => !inTable.has(nodeIdKey(id)) && !stillOurs(id) && deps.forwarding.isUsable(id));
    const value = { uptime: status.uptime, type: ChordUpdateType.neighbors, predecessors: [...e.predecessors], successors: [...e.successors] };
    for (const id of others) {
      deps.transport.request([{ kind: 'node', nodeId: id }], { name: 'update_req', value }, { ttl: 0 }).catch((err: unknown) => {
        log.debug('range-change Update to a client failed', { node: nodeIdKey(id), error: String(err) });
      });
    }
  });
}
