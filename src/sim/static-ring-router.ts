/**
 * A Router (reload/forwarding/router.ts) for tests and early simulations that knows the whole ring
 * up front: the responsible peer of an id is its successor on the ring; the next hop is the
 * responsible peer when a usable link leads to it, else the linked peer that most closely precedes
 * the id (Chord's "closest preceding node", §10.3), else the linked peer closest after it. The
 * Chord plug-in (reload/topology/chord) replaces it with real routing state.
 */
import type { Forwarding, Router, RoutingTarget } from '../reload/forwarding/index.js';
import { nodeIdKey } from '../reload/forwarding/index.js';
import type { NodeId } from '../reload/wire/ids.js';
import { clockwise, ringPosition } from '../reload/topology/chord/ring.js';

export class StaticRingRouter implements Router {
  private readonly self: bigint;
  private readonly ring: bigint[];

  constructor(
    ring: readonly NodeId[],
    local: NodeId,
    private readonly forwarding: Pick<Forwarding, 'neighbours'>,
  ) {
    this.self = ringPosition(local);
    this.ring = [...new Set(ring.map(ringPosition))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The ring member responsible for position `id`: its successor (first member at or after it). */
  responsibleFor(id: bigint): bigint {
    for (const m of this.ring) if (m >= id) return m;
    return this.ring[0]!;
  }

  isResponsible(target: RoutingTarget): boolean {
    return this.responsibleFor(position(target)) === this.self;
  }

  nextHop(target: RoutingTarget, exclude: ReadonlySet<string>): NodeId | undefined {
    const id = position(target);
    const responsible = this.responsibleFor(id);
    const candidates = this.forwarding
      .neighbours()
      .filter((n) => n.link.state === 'open' && !exclude.has(nodeIdKey(n.nodeId)))
      .map((n) => ({ nodeId: n.nodeId, pos: ringPosition(n.nodeId) }));
    const direct = candidates.find((c) => c.pos === responsible);
    if (direct) return direct.nodeId;
    const toTarget = clockwise(this.self, id);
    let best: { nodeId: NodeId; d: bigint } | undefined;
    for (const c of candidates) {
      const d = clockwise(this.self, c.pos);
      // Strictly between us and the target: progress without overshooting.
      if (d > 0n && d < toTarget && (!best || d > best.d)) best = { nodeId: c.nodeId, d };
    }
    if (best) return best.nodeId;
    let after: { nodeId: NodeId; d: bigint } | undefined;
    for (const c of candidates) {
      const d = clockwise(id, c.pos);
      if (!after || d < after.d) after = { nodeId: c.nodeId, d };
    }
    return after?.nodeId;
  }
}

function position(t: RoutingTarget): bigint {
  return ringPosition(t.kind === 'node' ? t.nodeId : t.resourceId);
}
