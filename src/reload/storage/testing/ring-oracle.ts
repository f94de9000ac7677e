/**
 * A ResponsibilityOracle over an explicit sorted ring of Node-IDs (CHORD-RELOAD rules, §10.1,
 * §10.4: responsible for (predecessor, self], replicas on the next two successors). Tests mutate
 * `ring` to model joins and failures.
 */
import { bytesEqual } from '../../wire/codec/hex.js';
import type { NodeId, ResourceId } from '../../wire/ids.js';
import type { ResponsibilityOracle } from '../responsibility-oracle.js';
import { compareIds } from '../ring-range.js';

export class Ring {
  private nodes: NodeId[] = [];

  constructor(nodes: readonly NodeId[], readonly replicas = 2) {
    this.set(nodes);
  }

  set(nodes: readonly NodeId[]): void {
    this.nodes = [...nodes].sort(compareIds);
  }

  add(node: NodeId): void {
    this.set([...this.nodes, node]);
  }

  remove(node: NodeId): void {
    this.set(this.nodes.filter((n) => !bytesEqual(n, node)));
  }

  get members(): readonly NodeId[] {
    return this.nodes;
  }

  /** §10.1: the first node at or after `id` clockwise. */
  responsible(id: ResourceId): NodeId {
    return this.nodes.find((n) => compareIds(n, id) >= 0) ?? (this.nodes[0] as NodeId);
  }

  successors(node: NodeId, n: number): NodeId[] {
    const i = this.nodes.findIndex((m) => bytesEqual(m, node));
    const out: NodeId[] = [];
    for (let k = 1; k <= n && k < this.nodes.length; k++) out.push(this.nodes[(i + k) % this.nodes.length] as NodeId);
    return out;
  }

  /** The responsible node and its replicas. */
  group(id: ResourceId): NodeId[] {
    const r = this.responsible(id);
    return [r, ...this.successors(r, this.replicas)];
  }

  oracle(self: NodeId): ResponsibilityOracle {
    return {
      isResponsible: (id) => bytesEqual(this.responsible(id), self),
      replicaSet: (id) => (bytesEqual(this.responsible(id), self) ? this.successors(self, this.replicas) : []),
      holdsReplica: (id) => this.group(id).some((n) => bytesEqual(n, self)),
      acceptsReplicaFrom: (id, sender) => {
        const group = this.group(id);
        return group.some((n) => bytesEqual(n, self)) && group.some((n) => bytesEqual(n, sender));
      },
    };
  }
}
