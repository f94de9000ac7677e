/**
 * The simulation driver's view (SimTopology) of the Chord overlay of src/sim/chord-overlay.ts:
 * full RELOAD peers (CHORD-RELOAD, RFC 6940 §10; storage with replication, §7) joining through
 * the real §10.5 sequence, leaving with Leave (§10.9) or failing silently.
 */
import { buildChordOverlay, type ChordOverlay, type SimChordPeer } from '../chord-overlay.js';
import type { SimTopology, SimTopologyInit } from './sim-topology.js';

/**
 * Virtual time the overlay is left to stabilize after the last join, before the run starts. The
 * ring is exact 2 s after the last join at N = 1,000 (ringCheck of every live peer, seed 12345;
 * still exact at 5, 10 and 50 s); 10 s leaves margin. Not more: an idle overlay still costs link keepalives (two
 * probes and two acks per link every 10 s, about 0.4 frames/s per link), which at N = 10,000
 * (~150,000 links) made a 60 s settle some 3.6 million frames of the build's work.
 */
export const CHORD_SETTLE_MS = 10_000;

/**
 * The chord-reactive element (RFC 6940 §11.1) of the simulated overlay's configuration when the
 * run does not set it: reactive recovery up to 1,000 peers, periodic above. §10: "Reactive recovery
 * provides better performance in small overlays, but is believed to be unstable in large overlays
 * (greater than 1000) with high levels of churn". Its cost is also what grows: with reactive
 * recovery every change of a Neighbor Table is sent to the whole Connection Table (§10.7.3), about
 * seven Connection Tables' worth of Updates per join, where periodic recovery sends the Connection
 * Table only the changes of a responsible range (§10.7.3, last paragraph; §6.4.1) and leaves the
 * rest to the Neighbor Table (chord-maintenance.ts). Building 1,000 peers (seed 1), periodic
 * recovery sends 63 Update requests and 489 frames per peer, reactive 186 and 965 (half the CPU).
 */
export function defaultChordReactive(peers: number): boolean {
  return peers <= 1000;
}

/**
 * The `--chord-reactive` / SIM_CHORD_REACTIVE value: `true` or `false`, or `auto` (undefined: the
 * choice by N above). Throws a RangeError naming the accepted values for anything else.
 */
export function parseChordReactive(text: string): boolean | undefined {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'auto') return undefined;
  throw new RangeError(`must be true, false or auto, not "${text}"`);
}

/**
 * The periodic timers (§11.1, seconds) of the simulated overlay with periodic recovery, as the
 * overlay `chordphone serve` hands out (server/overlay-document.ts): one minute each. Without
 * reactive recovery a failed finger is replaced only by the periodic search of §10.7.4.2 ("SHOULD
 * NOT send Ping requests looking for new finger table entries more often than chord-ping-interval");
 * at the default of an hour, a 30-minute run with 10-minute sessions never repairs a finger. And
 * the Neighbor Tables exchange (§10.7.4.1) carries what the triggered Updates missed. Churn runs
 * (10-minute median session, 30 minutes, seed 1), fetch-after-store: 2,000 peers, 99.80 % with the
 * RFC's defaults (600 s, 3,600 s), 99.90 % with a one-minute chord-ping-interval (mean hops under
 * churn 5.76 and 5.07, p99 13 and 8); 3,000 peers, 99.80 % (996/998) with that, 99.90 % (998/999)
 * with both at one minute (reactive recovery: 99.90 %, 999/1000).
 */
export const PERIODIC_RECOVERY_TIMERS = { chordPingInterval: 60, chordUpdateInterval: 60 } as const;

/** Peers joining at once while building: one at a time for small overlays, waves for large ones. */
export function joinConcurrency(peers: number): number {
  return Math.max(1, Math.min(64, Math.floor(peers / 50)));
}

export async function chordTopology(init: SimTopologyInit): Promise<SimTopology<SimChordPeer>> {
  const chordReactive = init.chordReactive ?? defaultChordReactive(init.peers);
  const overlay = await buildChordOverlay({
    peers: init.peers,
    seed: init.seed,
    joinConcurrency: joinConcurrency(init.peers),
    settleMs: CHORD_SETTLE_MS,
    network: init.network,
    configuration: chordReactive ? { chordReactive } : { chordReactive, ...PERIODIC_RECOVERY_TIMERS },
    ...(init.logger ? { logger: init.logger } : {}),
    ...(init.progress ? { progress: init.progress } : {}),
    ...(init.onNetwork ? { onCreated: (o: ChordOverlay) => init.onNetwork?.(o.network) } : {}),
  });
  return {
    label: 'chord',
    clock: overlay.clock,
    network: overlay.network,
    initialPeers: overlay.peers.filter((p) => p.state === 'joined'),
    supportsChurn: true,
    chordReactive,
    addressOf: (p) => p.address,
    linksOf: (p) => p.peer.status().links,
    join: () => overlay.addPeer(),
    fail: (p) => overlay.kill(p),
    leave: (p) => overlay.leave(p),
    store: (p, name, value) => overlay.store(p, name, value),
    fetch: (p, name) => overlay.fetch(p, name),
    close: () => overlay.close(),
  };
}
