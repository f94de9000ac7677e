/**
 * The small interface between the simulation driver (run-simulation.ts) and an overlay of
 * simulated peers on one memory network and one virtual clock. The Chord overlay
 * (chord-topology.ts) implements it. Any other implementation (a stand-in, a toy for tests) must
 * say what it is in `label`, which every report prints, so that no figure can pass for Chord's.
 */
import type { MemoryNetwork, MemoryNetworkInit } from '../../reload/links/memory/index.js';
import type { Logger } from '../../reload/runtime/components.js';
import type { VirtualClock } from '../virtual-clock.js';
import type { FetchOutcome, OperationOutcome } from './workload.js';

export interface SimTopology<P = unknown> {
  /** What routes the messages, as every report names it: `chord`. */
  readonly label: string;
  readonly clock: VirtualClock;
  readonly network: MemoryNetwork;
  /** The peers built by the factory (joined and stable), in a deterministic order. */
  readonly initialPeers: readonly P[];
  /** Whether `join`, `fail` and `leave` work (the driver runs no churn otherwise). */
  readonly supportsChurn: boolean;
  /** Chord only: the overlay's chord-reactive setting (RFC 6940 §11.1), reactive or periodic recovery. */
  readonly chordReactive?: boolean;
  /** The peer's address on the memory network (for captures). */
  addressOf(peer: P): string;
  /** Links in the peer's Connection Table (RFC 6940 §6.1.2): for a browser tab, its WebRTC connections. Optional (toys). */
  linksOf?(peer: P): number;
  /** Start a new peer and join it to the overlay; resolves when it has joined. */
  join(): Promise<P>;
  /** The peer vanishes abruptly (no Leave; neighbours find out by themselves). */
  fail(peer: P): void;
  /** The peer leaves gracefully (Leave to its neighbours, data handed over), then is gone. */
  leave(peer: P): Promise<void>;
  /** Store `value` under the resource `name` from `peer` (single-value test kind). */
  store(peer: P, name: string, value: Uint8Array): Promise<OperationOutcome>;
  /** Fetch the value under `name` from `peer`. */
  fetch(peer: P, name: string): Promise<FetchOutcome>;
  /** Stop every peer and timer. */
  close(): void;
}

export interface SimTopologyInit {
  readonly peers: number;
  /** Seed of the overlay's randomness (Node-IDs, transaction ids, link model). */
  readonly seed: number;
  /** Link model and framing settings of the memory network. */
  readonly network: MemoryNetworkInit;
  /** Chord only: chord-reactive of the overlay's configuration (RFC 6940 §11.1); default the topology's choice for `peers`. */
  readonly chordReactive?: boolean;
  readonly logger?: Logger;
  /** Progress lines while building (long runs). */
  readonly progress?: (line: string) => void;
  /** Called with the network before the first peer is built (to meter the build's traffic). */
  readonly onNetwork?: (network: MemoryNetwork) => void;
}

/** Builds `init.peers` peers on a new virtual clock and brings the overlay to a stable state before resolving. */
export type SimTopologyFactory = (init: SimTopologyInit) => Promise<SimTopology>;
