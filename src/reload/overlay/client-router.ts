/**
 * The Router of a RELOAD client (RFC 6940 §4.2): it has no place in the ring, so it is responsible
 * for nothing and sends everything it originates to the peer it is attached to (§4.2.1: "requests
 * may be sent from/to the client using its Node-ID in the same manner as if it were a peer,
 * because the responsible peer in the overlay will handle the final step of routing"). Before that
 * link exists (or while it is down), any other usable link serves, e.g. the bootstrap link the
 * first Attach goes out on (§11.4). What it relays for others: nothing (ForwardingInit.relay false).
 */
import { nodeIdKey, type Router, type RoutingTarget } from '../forwarding/index.js';
import type { NodeId } from '../wire/ids.js';

export interface ClientRouterDeps {
  /** The peer this client is attached to, if any. */
  readonly attached: () => NodeId | undefined;
  /** The neighbours in the link table (the fallback next hops). */
  readonly neighbours: () => readonly NodeId[];
  /** Whether the link to this neighbour is in the link table and open. */
  readonly isUsable: (id: NodeId) => boolean;
}

export class ClientRouter implements Router {
  constructor(private readonly deps: ClientRouterDeps) {}

  /** A client covers no part of the ring (§4.2: no "storage responsibilities"). */
  isResponsible(_target: RoutingTarget): boolean {
    return false;
  }

  nextHop(_target: RoutingTarget, exclude: ReadonlySet<string>): NodeId | undefined {
    const ok = (id: NodeId) => !exclude.has(nodeIdKey(id)) && this.deps.isUsable(id);
    const attached = this.deps.attached();
    if (attached && ok(attached)) return attached;
    return this.deps.neighbours().find(ok);
  }
}
