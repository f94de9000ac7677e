/** A ResponsibilityOracle for tests, with settable answers. */
import type { NodeId, ResourceId } from '../../wire/ids.js';
import { bytesEqual } from '../../wire/codec/hex.js';
import type { ResponsibilityOracle } from '../responsibility-oracle.js';

export class FakeOracle implements ResponsibilityOracle {
  responsible: (id: ResourceId) => boolean = () => true;
  holds: (id: ResourceId) => boolean = () => true;
  replicas: NodeId[] = [];
  /** Senders whose replica stores are accepted (empty: anyone). */
  replicaSources: NodeId[] = [];

  isResponsible(resourceId: ResourceId): boolean {
    return this.responsible(resourceId);
  }

  replicaSet(): readonly NodeId[] {
    return this.replicas;
  }

  acceptsReplicaFrom(_resourceId: ResourceId, sender: NodeId): boolean {
    return this.replicaSources.length === 0 || this.replicaSources.some((n) => bytesEqual(n, sender));
  }

  holdsReplica(resourceId: ResourceId): boolean {
    return this.holds(resourceId);
  }
}
