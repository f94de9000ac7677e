/**
 * The simulation driver's view (SimTopology) of the Chord overlay of src/sim/chord-overlay.ts:
 * full RELOAD peers (CHORD-RELOAD, RFC 6940 §10; storage with replication, §7) joining through
 * the real §10.5 sequence, leaving with Leave (§10.9) or failing silently.
 */
import { buildChordOverlay, type SimChordPeer } from '../chord-overlay.js';
import type { SimTopology, SimTopologyInit } from './sim-topology.js';

/** Virtual time the overlay is left to stabilize after the last join, before the run starts. */
export const CHORD_SETTLE_MS = 60_000;

/** Peers joining at once while building: one at a time for small overlays, waves for large ones. */
export function joinConcurrency(peers: number): number {
  return Math.max(1, Math.min(64, Math.floor(peers / 50)));
}

export async function chordTopology(init: SimTopologyInit): Promise<SimTopology<SimChordPeer>> {
  const overlay = await buildChordOverlay({
    peers: init.peers,
    seed: init.seed,
    joinConcurrency: joinConcurrency(init.peers),
    settleMs: CHORD_SETTLE_MS,
    network: init.network,
    ...(init.logger ? { logger: init.logger } : {}),
    ...(init.progress ? { progress: init.progress } : {}),
  });
  return {
    label: 'chord',
    clock: overlay.clock,
    network: overlay.network,
    initialPeers: overlay.peers.filter((p) => p.state === 'joined'),
    supportsChurn: true,
    addressOf: (p) => p.address,
    join: () => overlay.addPeer(),
    fail: (p) => overlay.kill(p),
    leave: (p) => overlay.leave(p),
    store: (p, name, value) => overlay.store(p, name, value),
    fetch: (p, name) => overlay.fetch(p, name),
    close: () => overlay.close(),
  };
}
