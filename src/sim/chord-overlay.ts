/**
 * The simulator's composition root for a whole overlay: N full RELOAD peers (reload/overlay:
 * forwarding, transport, CHORD-RELOAD, storage with replication) on one MemoryNetwork, one
 * VirtualClock and one SeededRandom, with the sim-only fast signer and a synchronous hasher.
 * Peers join one after another or in waves through the real §10.5 join, can leave (§10.9) or be
 * killed abruptly, and store and fetch through the overlay.
 *
 * API (every promise settles as the virtual clock runs: drive it with `clock.run(p)`,
 * `clock.advance(ms)` or `overlay.settle(ms)`, except `buildChordOverlay`, which drives it itself):
 *
 * ```ts
 * const o = await buildChordOverlay({ peers: 300, seed: 7 });   // built, joined, stabilized
 * o.ringCheck().exact;                                          // every successor/predecessor list right
 * const p = o.live()[0]!;
 * await o.clock.run(o.store(p, 'name', bytes));                 // { ok, hops, error? }
 * await o.clock.run(o.fetch(o.live()[9]!, 'name'));             // { ok, hops, value? }
 * const q = await o.clock.run(o.addPeer());                     // one more peer, joined
 * o.kill(q); await o.clock.run(o.leave(p)); await o.settle(60_000);
 * o.close();
 * ```
 *
 * Addresses look like IPv4 host candidates, `10.a.b.c:6084` (peer n has a.b.c = n + 1 in base 256),
 * so Attaches carry them as IpAddressPort (§6.5.1.1). A directory of address → Node-ID stands in
 * for the certificate a DTLS/TLS handshake would prove (PeerNetwork.authenticate).
 *
 * Kinds of the simulated overlay (SIM_KINDS): `open` (single value, the sim-only SIM-OPEN policy:
 * any signer may write any name; `store`/`fetch` by name use it), and RFC-policy Kinds `user`
 * (dictionary, USER-MATCH) and `small` (single, USER-MATCH, max-size 64) for policy and limit tests.
 */
import { createHash } from 'node:crypto';
import { createMemoryBackend, type AccessPolicy, type StorageBackend, type StorageLimits } from '../reload/storage/index.js';
import type { Signer, Verifier } from '../reload/security/signer.js';
import type { Link } from '../reload/links/link.js';
import { MemoryNetwork, type MemoryNetworkInit } from '../reload/links/memory/index.js';
import type { Logger } from '../reload/runtime/components.js';
import { ReloadError } from '../reload/runtime/reload-error.js';
import { createOverlayPeer, type OverlayPeer, type OverlayPeerInit, type OverlayStatus } from '../reload/overlay/index.js';
import type { ChordParameters } from '../reload/topology/chord/chord-parameters.js';
import { ringPosition } from '../reload/topology/chord/ring.js';
import { configurationWithDefaults, type Configuration, type Kind } from '../reload/wire/config/overlay-configuration.js';
import { toHex } from '../reload/wire/codec/hex.js';
import type { NodeId } from '../reload/wire/ids.js';
import { FastSigner, FastVerifier } from './fast-signer.js';
import { nodeHasher } from './node-hasher.js';
import { SeededRandom } from './seeded-random.js';
import { VirtualClock } from './virtual-clock.js';

/** Kind-IDs of the simulated overlay's configuration. */
export const SIM_KINDS = {
  /** SINGLE, SIM-OPEN, max-count 1, max-size 4096: the name-based workload Kind. */
  open: 4001,
  /** DICTIONARY, USER-MATCH, max-count 4, max-size 256. */
  user: 4002,
  /** SINGLE, USER-MATCH, max-count 1, max-size 64. */
  small: 4003,
} as const;

/**
 * SIMULATOR ONLY: an access control policy that lets any verified signer write any Resource-ID,
 * so a workload can store under arbitrary names (the four policies of RFC 6940 §7.3 all tie the
 * Resource-ID to the signer). Signatures are still verified. Defined here, out of reach of
 * production code.
 */
export const SIM_OPEN_POLICY: AccessPolicy = { name: 'SIM-OPEN', check: () => Promise.resolve(undefined) };

const kind = (k: Partial<Kind> & Pick<Kind, 'maxCount' | 'maxSize'> & { id: number }): Kind =>
  ({ dataModel: 'SINGLE', accessControl: 'USER-MATCH', extensions: [], ...k }) as Kind;

/** The configuration of the simulated overlay (§11.1), `overrides` on top. */
export function simConfiguration(overrides: Partial<Configuration> = {}): Configuration {
  return configurationWithDefaults({
    instanceName: 'sim.chordphone.invalid',
    requiredKinds: [
      // A policy name outside §7.3's four: the configuration type does not know it (sim only).
      kind({ id: SIM_KINDS.open, accessControl: SIM_OPEN_POLICY.name as Kind['accessControl'], maxCount: 1, maxSize: 4096 }),
      kind({ id: SIM_KINDS.user, dataModel: 'DICTIONARY', maxCount: 4, maxSize: 256 }),
      kind({ id: SIM_KINDS.small, maxCount: 1, maxSize: 64 }),
    ].map((k) => ({ kind: k })),
    ...overrides,
  });
}

/** Per-peer settings (for tests that need a misconfigured or different peer). */
export interface SimPeerOptions {
  readonly configuration?: Configuration;
  readonly chord?: Partial<ChordParameters>;
  readonly transport?: OverlayPeerInit['transport'];
  /** Node-ID; default random (seeded). */
  readonly nodeId?: NodeId;
  /** Bootstrap address for its join; default a random live peer's. */
  readonly bootstrap?: string;
  /** Its signer and verifier (its Node-ID is the signer's); default ChordOverlayInit.identity's, else the fast signer. */
  readonly identity?: SimIdentity;
  /** Its storage backend; default a new memory backend. */
  readonly storage?: StorageBackend;
  /** `client` (RFC 6940 §4.2): attach with `peer.join(bootstrap)` yourself, not through `joinPeer`. Default `peer`. */
  readonly mode?: OverlayPeerInit['mode'];
  /** Its address; default simAddress(index). A killed peer's, for one that comes back where it was (a restarted server). */
  readonly address?: string;
}

/** One peer's identity: real X.509 ones for tests with real certificates (default: the sim-only fast signer). */
export interface SimIdentity {
  readonly signer: Signer;
  readonly verifier: Verifier;
}

export interface ChordOverlayInit {
  /** Peers to build and join before `buildChordOverlay` resolves; default 0. */
  readonly peers?: number;
  /** Peers joining at once while building (waves); default 1 (one after another). */
  readonly joinConcurrency?: number;
  /** Virtual time (ms) to let the overlay settle after building; default 5 000. */
  readonly settleMs?: number;
  /** Seed of the run (ignored when `random` is given); default 1. */
  readonly seed?: number;
  readonly clock?: VirtualClock;
  readonly random?: SeededRandom;
  /**
   * Memory network model and link settings. Default: 10 ms latency, and link keepalives every
   * 10 s so that silent failures are detected (FramedLink liveness, §6.6.3.1).
   */
  readonly network?: MemoryNetworkInit;
  /** Configuration overrides (instance name, kinds, chord-update-interval …). */
  readonly configuration?: Partial<Configuration>;
  readonly chord?: Partial<ChordParameters>;
  readonly logger?: Logger;
  /** Progress lines while building. */
  readonly progress?: (line: string) => void;
  /** Called with the overlay before any peer is built (e.g. to meter the build's traffic). */
  readonly onCreated?: (overlay: ChordOverlay) => void;
  /** The identity of the `index`-th peer created (default: a fast signer with a random Node-ID). */
  readonly identity?: (index: number) => SimIdentity;
  /** Storage bounds of every peer (per user, total; storage-limits.ts); default DEFAULT_STORAGE_LIMITS. */
  readonly storageLimits?: Partial<StorageLimits>;
  /** The storage backend of the `index`-th peer created (default: a new memory backend; e.g. to watch where records go). */
  readonly storage?: (index: number) => StorageBackend;
}

/** One simulated peer. */
export interface SimChordPeer {
  /** Creation order, from 0. */
  readonly index: number;
  readonly address: string;
  readonly nodeId: NodeId;
  /** Its identity's user name (the Resource Name of its USER-MATCH records). */
  readonly userName: string;
  /**
   * Its OverlayPeer. Once the peer has been killed or has finished leaving, the overlay lets go of
   * it, and reading it throws SimPeerGoneError: a long run with churn creates tens of thousands of
   * peers, and each one kept its tables (about 66 KB). `finalState` is the join state it showed last.
   */
  readonly peer: OverlayPeer;
  /** Its OverlayPeer's join state (`status().state`) when it was killed or had left; undefined until then. */
  readonly finalState?: OverlayStatus['state'];
  /** `created` → `joined` → `left` / `killed` (or `failed` when its join gave up). */
  readonly state: 'created' | 'joining' | 'joined' | 'left' | 'killed' | 'failed';
}

/** A killed or departed SimChordPeer's OverlayPeer was read: the overlay has let go of it. */
export class SimPeerGoneError extends Error {
  constructor(readonly address: string, readonly state: SimChordPeer['state']) {
    super(`sim peer ${address} was ${state === 'killed' ? 'killed' : 'left'}: its OverlayPeer is gone (read finalState or userName instead)`);
    this.name = 'SimPeerGoneError';
  }
}

/** The outcome of a name-based Store or Fetch (shape of the harness's OperationOutcome). */
export interface SimOutcome {
  readonly ok: boolean;
  readonly hops?: number;
  /** Error code name (`Error_Not_Found` …), `timeout`, or the exception's name. */
  readonly error?: string;
  /** Fetch: the value found, undefined when none. */
  readonly value?: Uint8Array;
}

/** What `ringCheck` found: the peers whose lists differ from the sorted ring of live joined peers. */
export interface RingCheck {
  readonly exact: boolean;
  readonly peers: number;
  readonly mismatches: readonly {
    readonly address: string;
    readonly expected: { readonly predecessors: readonly string[]; readonly successors: readonly string[] };
    readonly actual: { readonly predecessors: readonly string[]; readonly successors: readonly string[] };
  }[];
}

export interface ChordOverlay {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly configuration: Configuration;
  /** Every peer ever created, in creation order. */
  readonly peers: readonly SimChordPeer[];
  /** Peers that have joined and neither left nor been killed, in the order they joined. */
  live(): SimChordPeer[];
  /** Create a peer (not joined). */
  createPeer(options?: SimPeerOptions): SimChordPeer;
  /** Create a peer and join it through a random live peer (the first peer starts the overlay). */
  addPeer(options?: SimPeerOptions): Promise<SimChordPeer>;
  /**
   * Add `n` peers, `concurrency` joining at a time. A peer whose join gives up (all its attempts
   * failed, §10.5) stays `failed` and is left out of the result; the others go on joining.
   */
  addPeers(n: number, concurrency?: number): Promise<SimChordPeer[]>;
  /** Join an existing (created) peer through `bootstrap` (default: a random live peer; none: start alone). */
  joinPeer(peer: SimChordPeer, bootstrap?: string): Promise<void>;
  /** The peer vanishes: its links go silent (MemoryNetwork.crash), no Leave is sent. */
  kill(peer: SimChordPeer): void;
  /** The peer leaves gracefully (§10.9) and is gone. */
  leave(peer: SimChordPeer): Promise<void>;
  /** Let `ms` of virtual time pass. */
  settle(ms: number): Promise<void>;
  /** Store `value` under Resource Name `name` (Kind SIM_KINDS.open) from `peer`. */
  store(peer: SimChordPeer, name: string, value: Uint8Array): Promise<SimOutcome>;
  /** Fetch the value under `name` (Kind SIM_KINDS.open) from `peer`. */
  fetch(peer: SimChordPeer, name: string): Promise<SimOutcome>;
  /** Compare every live peer's predecessor and successor lists with the sorted ring. */
  ringCheck(): RingCheck;
  /** Stop every peer. */
  close(): void;
}

class MutablePeer implements SimChordPeer {
  state: SimChordPeer['state'] = 'created';
  finalState: OverlayStatus['state'] | undefined;
  readonly userName: string;
  #peer: OverlayPeer | undefined;

  constructor(
    readonly index: number,
    readonly address: string,
    readonly nodeId: NodeId,
    peer: OverlayPeer,
    readonly bootstrap: string | undefined,
  ) {
    this.#peer = peer;
    this.userName = peer.userName;
  }

  get peer(): OverlayPeer {
    if (!this.#peer) throw new SimPeerGoneError(this.address, this.state);
    return this.#peer;
  }

  /** Killed or left: keep its last join state, drop the rest. */
  release(): void {
    if (!this.#peer) return;
    this.finalState = this.#peer.status().state;
    this.#peer = undefined;
  }
}

/** `10.a.b.c:6084` for peer `n` (n from 0; the host part starts at 1). */
export function simAddress(n: number): string {
  const h = n + 1;
  return `10.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${h & 255}:6084`;
}

/** RFC 6940 §6.3.2 overlay hash (lower 32 bits of SHA-1 of the name), synchronously. */
export function simOverlayHash(instanceName: string): number {
  return createHash('sha1').update(instanceName, 'utf8').digest().readUInt32BE(16);
}

function errorName(e: unknown): string {
  if (e instanceof ReloadError) return e.codeName ?? `error ${e.code}`;
  if (e instanceof Error) return e.name;
  return String(e);
}

export function createChordOverlay(init: Omit<ChordOverlayInit, 'peers' | 'joinConcurrency' | 'settleMs' | 'progress' | 'onCreated'> = {}): ChordOverlay {
  const clock = init.clock ?? new VirtualClock();
  const random = init.random ?? new SeededRandom(init.seed ?? 1);
  const network = new MemoryNetwork(
    { clock, random: random.fork(), logger: init.logger },
    { ...init.network, model: { latencyMs: 10, ...init.network?.model }, link: { keepaliveIntervalMs: 10_000, ...init.network?.link } },
  );
  const configuration = simConfiguration(init.configuration);
  const directory = new Map<string, NodeId>();
  const usedIds = new Set<string>();
  const peers: MutablePeer[] = [];
  const joined = new Set<MutablePeer>();
  const idRandom = random.fork();

  const newNodeId = (): NodeId => {
    for (;;) {
      const id = idRandom.bytes(16);
      if (!id.every((b) => b === 0xff) && !usedIds.has(toHex(id))) return id;
    }
  };

  /** Live peers, in the order they joined. */
  const live = () => [...joined];
  const setState = (p: MutablePeer, state: MutablePeer['state']) => {
    p.state = state;
    if (state === 'joined') joined.add(p);
    else joined.delete(p);
  };

  const createPeer = (options: SimPeerOptions = {}): SimChordPeer => {
    const index = peers.length;
    const address = options.address ?? simAddress(index);
    const identity = options.identity ?? init.identity?.(index);
    const nodeId = identity?.signer.nodeId ?? options.nodeId ?? newNodeId();
    directory.set(address, nodeId);
    usedIds.add(toHex(nodeId));
    let inbound: ((link: Link) => void) | undefined;
    const endpoint = network.listen(address, (link) => (inbound ? inbound(link) : link.close()));
    const peerRandom = random.fork();
    const overlayPeer = createOverlayPeer(
      {
        clock,
        random: peerRandom,
        hasher: nodeHasher,
        signer: identity?.signer ?? new FastSigner(nodeId, `peer${index}@sim.chordphone.invalid`),
        verifier: identity?.verifier ?? new FastVerifier(),
        network: {
          address,
          linkFactory: endpoint.linkFactory,
          onInbound: (l) => (inbound = l),
          authenticate: (link) => directory.get(link.remoteAddress),
          close: () => endpoint.close(),
        },
        storage: options.storage ?? init.storage?.(index) ?? createMemoryBackend(),
        logger: init.logger,
      },
      {
        configuration: options.configuration ?? configuration,
        overlayHash: simOverlayHash((options.configuration ?? configuration).instanceName),
        chord: { ...init.chord, ...options.chord },
        extraPolicies: [SIM_OPEN_POLICY],
        ...(init.storageLimits ? { storageLimits: init.storageLimits } : {}),
        ...(options.transport ? { transport: options.transport } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
      },
    );
    const entry = new MutablePeer(index, address, nodeId, overlayPeer, options.bootstrap);
    peers.push(entry);
    return entry;
  };

  const joinPeer = async (p: SimChordPeer, via?: string): Promise<void> => {
    const entry = p as MutablePeer;
    const others = live().filter((o) => o !== entry);
    const bootstrap = via ?? entry.bootstrap ?? (others.length > 0 ? others[Math.floor(random.float() * others.length)]!.address : []);
    setState(entry, 'joining');
    try {
      await entry.peer.join(bootstrap);
      // Killed or left while joining: stays so.
      if (entry.state === 'joining') setState(entry, 'joined');
    } catch (e) {
      if (entry.state === 'joining') setState(entry, 'failed');
      throw e;
    }
  };

  const overlay: ChordOverlay = {
    clock,
    random,
    network,
    configuration,
    peers,
    live,
    createPeer,
    joinPeer,
    async addPeer(options) {
      const p = createPeer(options);
      await joinPeer(p);
      return p;
    },
    async addPeers(n, concurrency = 1) {
      const out: SimChordPeer[] = [];
      let next = 0;
      const worker = async () => {
        while (next < n) {
          next++;
          const p = createPeer();
          try {
            await joinPeer(p);
            out.push(p);
          } catch {
            // State `failed` (joinPeer): counted by the caller from `peers`.
          }
        }
      };
      // The first peer starts the overlay alone; the others need someone to join through.
      if (live().length === 0 && n > 0) {
        next++;
        out.push(await overlay.addPeer());
      }
      await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
      return out;
    },
    kill(p) {
      const entry = p as MutablePeer;
      if (entry.state === 'killed' || entry.state === 'left') return;
      setState(entry, 'killed');
      network.crash(entry.address);
      entry.peer.close();
      entry.release();
    },
    async leave(p) {
      const entry = p as MutablePeer;
      if (entry.state !== 'joined') return;
      setState(entry, 'left');
      try {
        await entry.peer.leave();
      } finally {
        entry.release();
      }
    },
    settle: (ms) => clock.advance(ms),
    async store(p, name, value) {
      try {
        const { hops } = await p.peer.store(name, SIM_KINDS.open, [{ value }]);
        return { ok: true, hops };
      } catch (e) {
        return { ok: false, error: errorName(e) };
      }
    },
    async fetch(p, name) {
      try {
        const { answer, hops } = await p.peer.fetch(name, [{ kind: SIM_KINDS.open }]);
        const found = answer.kindResponses.flatMap((k) => k.values).find((v) => v.value.model === 'single' && v.value.singleValueEntry.exists);
        const value = found?.value.model === 'single' ? found.value.singleValueEntry.value : undefined;
        return value ? { ok: true, hops, value } : { ok: true, hops };
      } catch (e) {
        return { ok: false, error: errorName(e) };
      }
    },
    ringCheck() {
      const ring = live()
        .map((p) => ({ p, pos: ringPosition(p.nodeId), hex: toHex(p.nodeId) }))
        .sort((a, b) => (a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0));
      const n = ring.length;
      const mismatches: RingCheck['mismatches'][number][] = [];
      ring.forEach((r, i) => {
        const status = r.p.peer.status();
        const chord = r.p.peer.chordParameters;
        const succ = Array.from({ length: Math.min(chord.successors, n - 1) }, (_, k) => ring[(i + k + 1) % n]!.hex);
        const pred = Array.from({ length: Math.min(chord.predecessors, n - 1) }, (_, k) => ring[(i - k - 1 + n * 2) % n]!.hex);
        const actual = { predecessors: status.predecessors.map(toHex), successors: status.successors.map(toHex) };
        if (actual.successors.join() !== succ.join() || actual.predecessors.join() !== pred.join()) {
          mismatches.push({ address: r.p.address, expected: { predecessors: pred, successors: succ }, actual });
        }
      });
      return { exact: mismatches.length === 0, peers: n, mismatches };
    },
    close() {
      for (const p of peers) if (p.state !== 'killed' && p.state !== 'left') p.peer.close();
    },
  };
  return overlay;
}

/**
 * Build an overlay of `init.peers` peers (joined `joinConcurrency` at a time), let it settle for
 * `settleMs` of virtual time, and resolve. Drives `init.clock` itself (it must not be running).
 */
export async function buildChordOverlay(init: ChordOverlayInit = {}): Promise<ChordOverlay> {
  const overlay = createChordOverlay(init);
  init.onCreated?.(overlay);
  const n = init.peers ?? 0;
  const concurrency = init.joinConcurrency ?? 1;
  const step = Math.max(1, Math.ceil(n / 10));
  let done = 0;
  while (done < n) {
    const batch = Math.min(step, n - done);
    await overlay.clock.run(overlay.addPeers(batch, concurrency));
    done += batch;
    const failed = overlay.peers.filter((p) => p.state === 'failed').length;
    init.progress?.(`joined ${done - failed}/${n} peers at ${Math.round(overlay.clock.now() / 1000)} s virtual${failed > 0 ? ` (${failed} joins gave up)` : ''}`);
  }
  await overlay.settle(init.settleMs ?? 5_000);
  return overlay;
}
