/**
 * The simulation driver's view (SimTopology) of the Chord overlay of src/sim/chord-overlay.ts:
 * full RELOAD peers (CHORD-RELOAD, RFC 6940 §10; storage with replication, §7) joining through
 * the real §10.5 sequence, leaving with Leave (§10.9) or failing silently.
 */
import { buildChordOverlay, type SimChordPeer } from '../chord-overlay.js';
import type { SimTopology, SimTopologyInit } from './sim-topology.js';

/**
 * Virtual time the overlay is left to stabilize after the last join, before the run starts. The
 * ring is exact 2 s after the last join at N = 1,000 (ringCheck of every live peer, seed 12345;
 * still exact at 5, 10 and 50 s); 10 s leaves margin. Not more: an idle overlay still costs link keepalives (two
 * probes and two acks per link every 10 s, about 0.4 frames/s per link), which at N = 10,000
 * (~150,000 links) made a 60 s settle some 3.6 million frames of the build's work.
 */
export const CHORD_SETTLE_MS = 10_000;

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
