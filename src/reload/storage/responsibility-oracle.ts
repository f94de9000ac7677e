import type { NodeId, ResourceId } from '../wire/ids.js';

/**
 * What storage asks the topology plug-in (RFC 6940 §10.1, §10.4, §10.7.3). The Chord plug-in
 * implements it; storage never imports topology (style.md §1: a delegate interface).
 */
export interface ResponsibilityOracle {
  /** §10.1: this peer is responsible for `resourceId` (predecessor < id ≤ self, modulo 2^128). */
  isResponsible(resourceId: ResourceId): boolean;
  /**
   * §10.4: the peers this peer replicates `resourceId` to when it is responsible for it (its
   * first successors, two in CHORD-RELOAD), in order: the i-th gets replica_number i + 1.
   */
  replicaSet(resourceId: ResourceId): readonly NodeId[];
  /**
   * §7.4.1.1: a replica Store (replica_number > 0) from `sender` is plausible: this peer
   * expects to hold a replica of `resourceId` and `sender` is "either in the known replica set
   * for a given resource or ... closer than some node in the replica set" (§10.4: "an
   * appropriate predecessor"). A joining peer must also accept the hand-over from its
   * successor (§10.5 step 6), which arrives as a replica store.
   */
  acceptsReplicaFrom(resourceId: ResourceId, sender: NodeId): boolean;
  /** §10.7.3: this peer is still in the replica set of `resourceId` (fewer than three predecessors between it and the id). */
  holdsReplica(resourceId: ResourceId): boolean;
}
