/**
 * What joinOverlay (overlay-client.ts) is given and gives back: the platform it runs on
 * (OverlayClientDeps), what to join and how (JoinOverlayInit), the phases it reports (JoinPhase)
 * and the joined overlay (JoinedOverlay). Apart from the join's steps, so each reads on its own.
 */
import type { OverlayMode, PeerNetwork } from '../../reload/overlay/index.js';
import type { Clock, Logger } from '../../reload/runtime/components.js';
import type { WebLocks } from '../../reload/runtime/web-locks.js';
import type { KeyStore } from '../../reload/security/key-store.js';
import type { WallClock } from '../../reload/security/security-components.js';
import type { StorageBackend, StorageClosedError } from '../../reload/storage/index.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import type { NodeId } from '../../reload/wire/ids.js';
import type { ComposedPeer, PeerSecurity } from './compose-peer.js';
import type { FetchedConfiguration } from './configuration-fetch.js';
import type { ConfigurationPrefetch } from './configuration-prefetch.js';
import type { IceServer } from './ice-servers.js';
import type { PeerIdentity } from './peer-identity.js';

/**
 * configuring → [waiting-for-identity → checking-identity] → [enrolling] → joining → joined.
 * `waiting-for-identity`: another tab of this browser is getting or making the same identity
 * (peer-identity.ts, its Web Lock); `checking-identity`: that wait is over (this tab has the lock)
 * and it loads and checks what that tab stored, then joins with it or enrolls.
 */
export type JoinPhase = 'configuring' | 'waiting-for-identity' | 'checking-identity' | 'enrolling' | 'joining' | 'joined';

export interface OverlayClientDeps {
  readonly crypto: Crypto;
  readonly wallClock: WallClock;
  /**
   * Time for the join's own waits (a ConfigUpdate after Error_Config_Too_Old) and its peer's timers
   * (compose-peer.ts); default the system clock.
   */
  readonly clock?: Clock;
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** The configuration already asked for: the first load of it takes that answer (configuration-fetch.ts). */
  readonly prefetched?: ConfigurationPrefetch;
  readonly keyStore: KeyStore;
  /** The Web Locks shared by the key store's holders (peer-identity.ts): the tabs of a browser. */
  readonly locks?: WebLocks;
  readonly openStorage: (overlay: string, nodeId: NodeId) => Promise<StorageBackend>;
  /**
   * `close()`, and the throw of a failed join, settle only once the records the join opened are
   * closed (`recordsClosed`): a Node process over a SQLite file (cli/node-client-deps.ts), which
   * must let go of it before it exits or another run opens it. Default (a tab): not waited for,
   * JoinedOverlay.recordsClosed says why.
   */
  readonly closeAwaitsRecords?: boolean;
  readonly createNetwork: (init: { readonly security: PeerSecurity; readonly configuration: Configuration; readonly iceServers: readonly IceServer[] }) => PeerNetwork | Promise<PeerNetwork>;
  /**
   * Told as soon as the configuration is verified, while the identity is still being made: the
   * platform can get its network ready (the browser gathers ICE candidates for the join's
   * Attaches, offer-pool.ts) before `createNetwork` is called.
   */
  readonly prepareNetwork?: (configuration: Configuration) => void;
  /** Wraps the network (e.g. a capture) before the peer uses it. */
  readonly wrapNetwork?: (network: PeerNetwork) => PeerNetwork;
  readonly logger?: Logger;
  /** Keep a newer Configuration Document a ConfigUpdate brought (§6.5.4), once the peer runs with it. */
  readonly saveConfiguration?: (document: string, configuration: Configuration) => Promise<void>;
}

export interface JoinOverlayInit {
  /** The server: any URL on it, or the configuration's own URL. */
  readonly serverUrl: string;
  /** Key store entry (or how to name it from the configuration); default the overlay's instance-name. */
  readonly credentialsName?: string | ((configuration: Configuration) => string);
  /** User name to ask for when enrolling. */
  readonly userName: () => string | Promise<string>;
  /** Node keeps its key in files (extractable); browsers never. */
  readonly extractable?: boolean;
  /** Bootstrap WebSocket URLs to use instead of the configuration's (`chordphone peer --bootstrap`). */
  readonly bootstrap?: readonly string[];
  /** Which configuration URLs suit this peer best (the browser's own origin); default all in order. */
  readonly chooseBootstrap?: (urls: readonly string[]) => readonly string[];
  /**
   * Told when each phase starts, in order, with what it does in words. The same phase told again
   * is only its detail changing: `joining` says so once its records' lock turns out to be held
   * (overlay-client.ts). OUR CHOICE: not a phase of its own: the wait is one of the join's, which
   * needs those records to answer its range's Stores and Fetches (RFC 6940 §10), and `joining` was
   * told before the lock manager answered; so the user sees the join, then why it waits, and its
   * time stays the join's (the phase started at its first telling, overlay.ts `phaseMs`), not the
   * time of the step before it.
   */
  readonly onPhase?: (phase: JoinPhase, detail: string) => void;
  readonly signal?: AbortSignal;
  /**
   * Which Node-ID of the user's certificate this peer uses (0 = the first): another device of the
   * same user (a second tab sharing the key) takes another, enrolling for more when needed (§11.3 nodeids).
   */
  readonly nodeIdSlot?: number;
  /**
   * Node-IDs to ask for when enrolling, when more than `nodeIdSlot` needs (peer-identity.ts
   * `enrollNodeIds`): the browser asks for every device slot's at once, so its other tabs reuse the certificate.
   */
  readonly enrollNodeIds?: number;
  /** The peer was restarted with a newer configuration (ConfigUpdate, RFC 6940 §6.5.4). */
  readonly onRestart?: (joined: JoinedOverlay) => void;
  /**
   * A restart with a newer configuration failed: the old peer has left and no new one joined, so
   * the overlay is not joined any more (`peer` names the peer that left) until joined again.
   */
  readonly onRestartFailed?: (error: unknown) => void;
  /**
   * The records were closed under the running peer (StorageBackend.closedUnder: IndexedDB closed
   * the connection for another tab, or the browser did): the peer has left the overlay (RFC 6940
   * §10.9) and is not joined any more until joined again. Told once.
   */
  readonly onStorageLost?: (error: StorageClosedError) => void;
  /**
   * `client` (RFC 6940 §4.2, RFC 7890 §2.2): do not join; attach to the peer responsible for our
   * Node-ID and use the overlay through it (reload/overlay/client-overlay.ts). Default `peer`.
   */
  readonly mode?: OverlayMode;
}

export interface JoinedOverlay {
  /** The running peer (a newer configuration restarts it: read this again after `onRestart`). */
  readonly peer: ComposedPeer;
  /** The configuration in force (the fetched one, or a newer one a ConfigUpdate brought). */
  readonly configuration: Configuration;
  /** Whether the running peer stored its certificate (RFC 6940 §8) after joining. */
  readonly certificatePublished: Promise<boolean>;
  readonly identity: PeerIdentity;
  readonly fetched: FetchedConfiguration;
  /** The bootstrap URL list the join was given. */
  readonly bootstrap: readonly string[];
  /** The network the peer runs on (its `appChannels` carry AppAttach's SIP channels). */
  readonly network: PeerNetwork;
  /**
   * Close the running peer and restart it no more; settles once it is closed and a restart under
   * way has ended (no peer of this join is on the ring any more: its Node-ID may be given to
   * another, device-slot.ts), then the records the join opened close (`recordsClosed`). Once:
   * calling it again waits for the same.
   */
  close(): Promise<void>;
  /**
   * Settles (never rejects) once the records the join opened (its storage backend) are closed,
   * which they are after the peer has closed (`close()`, or its leaving when they were closed under
   * it: onStorageLost is told after), once the operation its store had under way has ended
   * (closeBackendAfterStores); pending until then. `close()` awaits it only with
   * OverlayClientDeps.closeAwaitsRecords (a Node process over a SQLite file).
   * OUR CHOICE: a tab's `close()` does not: an operation on the records that never ends (one
   * IndexedDB request that never answers) must not keep the tab's device slot, and so a rejoin,
   * waiting. The rejoin with the same Node-ID opens a second connection to the database beside the
   * first, and waits, before it joins, until that operation has let go of the database's Web Lock
   * (join-records.ts `ready`); from then on the Stores over both connections take turns under that
   * lock (idb-backend.ts `exclusively`), so neither loses a generation check (RFC 6940 §7.4.1.1).
   * Where the page has no Web Locks (idb-backend.ts IdbBackendInit.locks) there is no such turn
   * and no such wait: the new connection's Stores may run between the read and the write of one
   * still under way on the old one.
   */
  readonly recordsClosed: Promise<void>;
}
