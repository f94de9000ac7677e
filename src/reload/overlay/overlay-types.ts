/**
 * The public surface of one full RELOAD peer (reload/overlay): what it is built from (deps, init)
 * and what callers use (OverlayPeer). See overlay-peer.ts for the composition.
 *
 * ```ts
 * const peer = await createOverlayPeer(deps, { configuration });
 * await peer.join(['10.0.0.1:6084']);            // [] (or only our own address): start an overlay
 * await peer.store('alice@example.org', kind, [{ key: nodeId, value }]);
 * const { answer, hops } = await peer.fetch('alice@example.org', [{ kind }]);
 * peer.status();                                 // joined?, predecessors, successors, fingers, links
 * await peer.leave(); peer.close();
 * ```
 */
import type { ForwardingStats } from '../forwarding/index.js';
import type { AppChannelNetwork } from '../links/app-channel.js';
import type { Link, LinkFactory } from '../links/link.js';
import type { AbortOptions, Clock, Hasher, Logger, Random } from '../runtime/components.js';
import type { Signer, Verifier } from '../security/signer.js';
import type { AccessPolicy, KindRule, StorageBackend, StorageLimits } from '../storage/index.js';
import type { ChordParameters } from '../topology/chord/chord-parameters.js';
import type { TopologyStatus } from '../topology/topology-plugin.js';
import type { MessageTransport, TransportInit, TransportStats } from '../transport/index.js';
import type { Configuration } from '../wire/config/overlay-configuration.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import type { IceCandidate } from '../wire/methods/attach.js';
import type { DtlsFingerprint } from '../wire/methods/dtls-fingerprint.js';
import type { ArrayRange, FetchAns } from '../wire/storage/fetch.js';
import type { FindAns } from '../wire/storage/find.js';
import type { StatAns } from '../wire/storage/stat.js';
import type { StoreAns } from '../wire/storage/store.js';
import type { StoredData } from '../wire/storage/stored-data.js';
import type { ReloadError } from '../runtime/reload-error.js';

/**
 * This peer's place on the network: its address (what its Attach candidates carry, §6.5.1.1) and
 * how links are made. For the memory network the address is an IPv4 `a.b.c.d:port` string; the
 * real network (webrtc-network.ts) dials WebSocket URLs with `linkFactory` (bootstrap, §11.4) and
 * makes every Attach link with ICE (`ice`).
 */
export interface PeerNetwork {
  /**
   * Without `ice`: `a.b.c.d:port` (or `[v6]:port`), carried as a host IceCandidate in our
   * Attaches. With `ice`: how others can dial us (our WebSocket URL), or an opaque name.
   */
  readonly address: string;
  readonly linkFactory: LinkFactory<string>;
  /** Register the one listener for links other peers open to this one. */
  onInbound(listener: (link: Link) => void): void;
  /**
   * The Node-ID the link's channel is bound to: what the DTLS/TLS handshake proves with the peer's
   * certificate (RFC 6940 §6.4.2.1 "a transport channel that is bound to the Node-ID"); undefined
   * when it proves none (the link is then closed).
   */
  authenticate(link: Link): NodeId | undefined;
  /** Stop listening and close every link. */
  close(): void;
  /**
   * Application channels for AppAttach (RFC 6940 §6.5.2; links/app-channel.ts), when this network
   * offers them (AppAttachService uses them; the overlay itself does not).
   */
  readonly appChannels?: AppChannelNetwork;
  /**
   * Links made with ICE (RFC 6940 §6.5.1; WebRTC data channels): when present, Attach carries this
   * network's ICE parameters and DTLS fingerprint instead of `address` as a host candidate, and
   * the links come from here rather than from `linkFactory`/`onInbound`.
   */
  readonly ice?: IceCapability;
}

/**
 * What an Attach carries for one ICE link: the §6.5.1.1 AttachReqAns fields (ufrag, password,
 * candidates) and the DTLS fingerprint of our 0xC001 message extension (wire/methods/
 * dtls-fingerprint.ts), which binds the channel to the signer of the Attach.
 */
export interface IceAttachParameters {
  readonly ufrag: Uint8Array;
  readonly password: Uint8Array;
  readonly candidates: readonly IceCandidate[];
  readonly dtls: DtlsFingerprint;
}

/** The Attach requester's side of an ICE link, between its AttachReq and the AttachAns. */
export interface IceOffer {
  /** What the AttachReq carries. */
  readonly local: IceAttachParameters;
  /**
   * Connect with the answer's parameters. `answerer` signed the AttachAns that carried them (its
   * fingerprint): the link is bound to it (`authenticate(link)` returns it).
   */
  complete(answerer: NodeId, remote: IceAttachParameters, options?: AbortOptions): Promise<Link>;
  /** No answer came: release what was gathered. */
  cancel(): void;
}

/** The Attach receiver's side of an ICE link. */
export interface IceAnswer {
  /** What the AttachAns carries. */
  readonly local: IceAttachParameters;
  /** The link, bound to the requester, once its channel opens. */
  readonly link: Promise<Link>;
  cancel(): void;
}

/** A PeerNetwork's ICE links (see PeerNetwork.ice). */
export interface IceCapability {
  /** Gather for an Attach request (bounded wait). */
  offer(options?: AbortOptions): Promise<IceOffer>;
  /** Answer an Attach request from `requester` (who signed the request carrying `remote`). */
  answer(requester: NodeId, remote: IceAttachParameters, options?: AbortOptions): Promise<IceAnswer>;
}

export interface OverlayPeerDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** SHA-1 (§10.2 ids, §6.3.2 overlay hash) and SHA-256 (Stat digests). */
  readonly hasher: Hasher;
  /** Signs every message (§6.3.4) and every StoredData value we store (§7.1). */
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly network: PeerNetwork;
  /** Where this peer keeps the records it is responsible for or replicates. */
  readonly storage: StorageBackend;
  readonly logger?: Logger;
  /**
   * Milliseconds since 1970 for storage_time (§7) and for when stored values arrive and expire
   * (DataStoreDeps.epochClock); default: the Clock's `now()`, right only where the Clock is the
   * simulator's virtual one or `storage` does not outlive the process (the browser and the Node
   * peer pass Date.now: their backends persist).
   */
  readonly epochClock?: () => number;
  /**
   * Verifies a Configuration Document received in a ConfigUpdate (§6.5.4) against the configuration
   * in force (reload/security verifyConfigurationDocument); without it ConfigUpdates are refused.
   */
  readonly verifyConfigurationDocument?: (document: string, current: Configuration) => Promise<Configuration>;
}

/**
 * `peer` joins the ring, routes and stores for others; `client` (RFC 6940 §4.2, RFC 7890 §2.2)
 * never joins: it attaches to the peer responsible for its Node-ID and uses the overlay through
 * it, storing and fetching its own data but routing and storing nothing for others.
 */
export type OverlayMode = 'peer' | 'client';

export interface OverlayPeerInit {
  /** Default `peer`; `client`: see OverlayMode (client-overlay.ts). */
  readonly mode?: OverlayMode;
  /**
   * The forwarding header's `overlay`: lower 32 bits of SHA-1 of the instance name (§6.3.2);
   * `overlayHashOf` computes it (createOverlayPeer is synchronous).
   */
  readonly overlayHash: number;
  /**
   * The overlay configuration (§11.1): instance-name (overlay hash), required-kinds, max-message-
   * size, initial-ttl, overlay-reliability-timer, sequence, chord-* elements.
   */
  readonly configuration: Configuration;
  /** Overrides of the Chord parameters (sizes, timers) on top of the configuration's. */
  readonly chord?: Partial<ChordParameters>;
  readonly storageLimits?: Partial<StorageLimits>;
  /** Access policies beyond the four of §7.3, by name (e.g. RFC 7374 NODE-ID-MATCH). */
  readonly extraPolicies?: readonly AccessPolicy[];
  /**
   * The usages' further conditions on Kinds' values, checked by this peer as storing peer and on
   * values it fetches (e.g. RFC 7904 §3.4 AoR domains, usages/sip aorDomainKindRules).
   */
  readonly kindRules?: readonly KindRule[];
  /** Transport bounds and the extensions / forwarding options this peer understands. */
  readonly transport?: Omit<TransportInit, 'bodyContext' | 'unknownKindError'>;
  /** Default lifetime (s) of values we store; default 86 400. */
  readonly defaultLifetime?: number;
  /**
   * The signed Configuration Document `configuration` came from: sent in a ConfigUpdate to peers
   * whose requests carry an older sequence (§6.3.2.1, §6.5.4).
   */
  readonly configurationDocument?: string;
  /** A ConfigUpdate brought a newer, verified configuration: restart the peer with it. */
  readonly onConfiguration?: (configuration: Configuration, document: string) => void;
}

/** A Resource Name (UTF-8, hashed with the overlay's hash, §10.2) or a Resource-ID as is. */
export type ResourceRef = string | ResourceId;

/**
 * One value to store (§7.2): `value` alone for a single-value Kind, with `index` for an array
 * (0xFFFFFFFF appends, §7.4.1.1), with `key` for a dictionary.
 */
export interface StoreValue {
  readonly value: Uint8Array;
  /** false stores a deletion marker (§7.4.1.3); default true. */
  readonly exists?: boolean;
  /** Seconds; default the peer's defaultLifetime. */
  readonly lifetime?: number;
  readonly index?: number;
  readonly key?: Uint8Array;
}

export interface StoreOptions extends AbortOptions {
  /** §7.4.1.1 generation_counter: 0 (the default) stores unconditionally. */
  readonly generation?: bigint;
}

/** What to fetch of one Kind (§7.4.2.1); the model comes from the Kind's definition. */
export interface FetchSpec {
  readonly kind: number;
  /** Last generation seen (§7.4.2.1); default 0. */
  readonly generation?: bigint;
  /** Array Kinds: default every index. */
  readonly indices?: readonly ArrayRange[];
  /** Dictionary Kinds: default every key (wildcard). */
  readonly keys?: readonly Uint8Array[];
}

/**
 * A successful answer and how it came. `hops`: the overlay links the request crossed to the peer
 * that answered (0 when this peer answered itself). Routing is symmetric (§6.2), so it is read
 * off the answer: each relay appends to the via list (§6.1.2), hence hops = via list length + 1.
 */
export interface Outcome<T> {
  readonly answer: T;
  readonly hops: number;
  readonly responder: NodeId;
}

export type StoreOutcome = Outcome<StoreAns>;

/** A fetched value this peer refused (its signature or signer did not check out, §7.1, §7.3). */
export interface RejectedValue {
  readonly kind: number;
  readonly value: StoredData;
  /** Error_Forbidden (or Error_Unknown_Kind) saying which check failed. */
  readonly error: ReloadError;
}

/**
 * A Fetch's outcome: `answer` holds only the values this peer verified itself (a fetcher trusts no
 * storing peer); `rejected` lists those it dropped.
 */
export interface FetchOutcome extends Outcome<FetchAns> {
  readonly rejected: readonly RejectedValue[];
}
export type StatOutcome = Outcome<StatAns>;
export type FindOutcome = Outcome<FindAns>;

/** What `status()` shows. */
export interface OverlayStatus extends TopologyStatus {
  readonly address: string;
  /** Peer or client (OverlayMode); absent means peer. */
  readonly mode?: OverlayMode;
  /** A client's attached peer (§4.2.1), while it has one. */
  readonly attachedPeer?: NodeId;
  /** Links in the link table (the Connection Table). */
  readonly links: number;
}

export interface OverlayStats {
  readonly forwarding: ForwardingStats;
  readonly transport: TransportStats;
  /**
   * Requests this peer answered as their destination, by hop count (index = hops, measured as in
   * `Outcome.hops`, from the request's via list): the overlay's path-length histogram.
   */
  readonly deliveredHops: readonly number[];
}

/** One full RELOAD peer. Every async method takes a final `{ signal }` (style.md §4). */
export interface OverlayPeer {
  readonly nodeId: NodeId;
  readonly address: string;
  /** The signer's user name (§11.3). */
  readonly userName: string;
  /**
   * Join the overlay (RFC 6940 §10.5) through the first reachable bootstrap address; with none
   * (or only our own address) start a new overlay alone. Resolves once this peer is part of the ring.
   */
  join(bootstrap?: string | readonly string[], options?: AbortOptions): Promise<void>;
  /** Leave gracefully (§10.9: Leave to every neighbour), then close. */
  leave(options?: AbortOptions): Promise<void>;
  /** §7.4.1 Store: values signed with this peer's signer (§7.1). Rejects with ReloadError for an error answer. */
  store(resource: ResourceRef, kind: number, values: readonly StoreValue[], options?: StoreOptions): Promise<StoreOutcome>;
  /** §7.4.2 Fetch. */
  fetch(resource: ResourceRef, specs: readonly FetchSpec[], options?: AbortOptions): Promise<FetchOutcome>;
  /** §7.4.3 Stat. */
  stat(resource: ResourceRef, specs: readonly FetchSpec[], options?: AbortOptions): Promise<StatOutcome>;
  /** §7.4.4 Find. */
  find(resource: ResourceRef, kinds: readonly number[], options?: AbortOptions): Promise<FindOutcome>;
  /** The Resource-ID of a Resource Name (§10.2). */
  resourceId(resource: ResourceRef): Promise<ResourceId>;
  /** The peer's message transport, for other requests (Ping, Probe, RouteQuery, AppAttach, tests). */
  readonly transport: MessageTransport;
  /** The Chord parameters in force (list sizes, replicas, timers). */
  readonly chordParameters: ChordParameters;
  status(): OverlayStatus;
  /**
   * §6.5.1 Attach to `nodeId` ("when it wishes to establish a direct overlay connection to another
   * node"): resolves with the answerer's Node-ID once the link to it is in the link table.
   */
  attach(nodeId: NodeId, options?: AbortOptions): Promise<NodeId>;
  /** The link table (the Connection Table): each neighbour's Node-ID and the link to it. */
  neighbours(): readonly { readonly nodeId: NodeId; readonly link: Link }[];
  stats(): OverlayStats;
  /** Stop at once: no Leave, every link closed (what a crash looks like to the neighbours, minus the silence). */
  close(): void;
}
