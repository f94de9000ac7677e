/**
 * A small overlay with a static, fully known ring (StaticRingRouter) on one memory network and one
 * virtual clock: the test bed for the layers below the topology (links, forwarding, transport)
 * until the Chord plug-in builds real routing state. Peers sit at evenly spaced ring positions.
 */
import type { Logger } from '../reload/runtime/components.js';
import { overlayParameters, type OverlayParameters } from '../reload/forwarding/index.js';
import { MemoryNetwork, type MemoryNetworkInit } from '../reload/links/memory/index.js';
import type { NodeId } from '../reload/wire/ids.js';
import { idAt, RING_SIZE } from '../reload/topology/chord/ring.js';
import { SeededRandom } from './seeded-random.js';
import { createSimPeer, type SimDirectory, type SimPeer, type SimPeerInit } from './sim-peer.js';
import { StaticRingRouter } from './static-ring-router.js';
import { VirtualClock } from './virtual-clock.js';

export interface StaticOverlayInit {
  readonly peers: number;
  readonly seed?: number;
  /** Overlay parameters shared by every peer (overlay hash default 0x0c0ffee0). */
  readonly parameters?: Partial<OverlayParameters>;
  readonly network?: MemoryNetworkInit;
  /** Extra links besides the ring (each peer is linked to its successor), as index pairs. */
  readonly chords?: readonly (readonly [number, number])[];
  /** Per-peer settings (signer, transport and forwarding init, other parameters). */
  readonly peer?: (index: number, nodeId: NodeId, clock: VirtualClock) => Partial<SimPeerInit>;
  readonly logger?: Logger;
}

export interface StaticOverlay {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly directory: SimDirectory;
  readonly ids: readonly NodeId[];
  readonly peers: readonly SimPeer[];
  readonly parameters: OverlayParameters;
}

/** Ring position of peer i of n: the middle of the i-th 1/n slice of the ring (never the all-ones wildcard). */
export function staticRingId(i: number, n: number): NodeId {
  return idAt((BigInt(2 * i + 1) * RING_SIZE) / BigInt(2 * n));
}

export async function buildStaticOverlay(init: StaticOverlayInit): Promise<StaticOverlay> {
  const clock = new VirtualClock();
  const random = new SeededRandom(init.seed ?? 42);
  const network = new MemoryNetwork({ clock, random: random.fork(), logger: init.logger }, init.network);
  const directory: SimDirectory = new Map();
  const parameters = overlayParameters({ overlay: 0x0c0ffee0, ...init.parameters });
  const ids = Array.from({ length: init.peers }, (_, i) => staticRingId(i, init.peers));
  const peers = ids.map((nodeId, i) => {
    const extra = init.peer?.(i, nodeId, clock) ?? {};
    return createSimPeer({ clock, random: random.fork(), network, directory, logger: init.logger }, { nodeId, address: `p${i}`, parameters, ...extra });
  });
  const links: [number, number][] = ids.map((_, i) => [i, (i + 1) % ids.length]);
  for (const c of init.chords ?? []) links.push([c[0], c[1]]);
  if (ids.length > 1) for (const [a, b] of links) await clock.run(peers[a]!.connect(peers[b]!));
  for (const p of peers) p.setRouter(new StaticRingRouter(ids, p.nodeId, p.forwarding));
  return { clock, random, network, directory, ids, peers, parameters };
}
