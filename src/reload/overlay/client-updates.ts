/**
 * The peer's side of client support (RFC 6940 §4.2.1, §6.4.1): "All overlay algorithms MUST specify
 * maintenance procedures that send Updates to clients and peers that have established connections
 * to the peer responsible for a particular ID when the responsibility for that ID changes." The
 * Chord plug-in sends its Updates to its routing table; the nodes linked to this peer that are in
 * no routing table entry (clients, §4.2.1: "these updates can indicate that the peer is no longer
 * responsible for the client's Node-ID") get the same `neighbors` Update here, when our range
 * changes (our first predecessor, §10.1: we are responsible for (predecessor, us]; alone, for the
 * whole ring) so that their Node-ID, in the old range, is no longer in the new one. For a node
 * whose Node-ID was never ours, responsibility did not change: it gets none.
 *
 * OUR CHOICE: the first range we hold once joined (the first event then, `state` or `neighbors`)
 * is no change: there is no old range, we were responsible for nothing before. Not joined, we hold
 * none and send none.
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
  /** The range we hold, by its first predecessor (none: alone, the whole ring); undefined: none held (not joined). */
  let held: { readonly pred: NodeId | undefined } | undefined;
  return deps.topology.subscribe((e) => {
    // Most events change no first predecessor (a successor, a finger): no status() built for them.
    if (e.type === 'neighbors' && held && keyOf(held.pred) === keyOf(e.predecessors[0])) return;
    const status = deps.topology.status();
    if (!status.joined) {
      held = undefined;
      return;
    }
    const old = held;
    const pred = status.predecessors[0];
    held = { pred };
    if (!old || keyOf(old.pred) === keyOf(pred)) return;
    // The plug-in's own range-change Updates reach its routing table: those get no second one here.
    const inTable = new Set((status.routingTable ?? [...status.predecessors, ...status.successors, ...status.fingers]).map(nodeIdKey));
    // RFC 6940 §6.4.1: Updates "to clients and peers that have established connections to the peer
    // responsible for a particular ID when the responsibility for that ID changes": only those
    // whose Node-ID was in our old range and is not in the new one (§10.1: (first predecessor, us]).
    const self = ringPosition(status.nodeId);
    const inRange = (id: NodeId, p: NodeId | undefined) => p === undefined || inHalfOpen(ringPosition(id), ringPosition(p), self);
    const others: NodeId[] = deps.forwarding
      .neighbours()
      .map((n) => n.nodeId)
      .filter((id) => !inTable.has(nodeIdKey(id)) && inRange(id, old.pred) && !inRange(id, pred) && deps.forwarding.isUsable(id));
    const value = { uptime: status.uptime, type: ChordUpdateType.neighbors, predecessors: [...status.predecessors], successors: [...status.successors] };
    for (const id of others) {
      deps.transport.request([{ kind: 'node', nodeId: id }], { name: 'update_req', value }, { ttl: 0 }).catch((err: unknown) => {
        log.debug('range-change Update to a client failed', { node: nodeIdKey(id), error: String(err) });
      });
    }
  });
}

const keyOf = (id: NodeId | undefined): string | undefined => (id ? nodeIdKey(id) : undefined);
