/**
 * `Overlay`: the one small API object the UI talks to about the overlay (ARCHITECTURE.md: "The UI
 * talks to one small API object (`Overlay` / `Phone`), never to the layers below it"; style.md §9:
 * verbs plus `subscribe()` to an immutable snapshot for `useSyncExternalStore`).
 *
 * ```ts
 * const overlay = createOverlay(deps, { serverUrl: location.href, userName: () => 'guest-1a2b' });
 * overlay.subscribe(() => render(overlay.getSnapshot()));
 * await overlay.start();                     // configuration → identity → join
 * await overlay.storeNote('hello');          // NOTE Kind at my user name
 * await overlay.fetchNote('bob@chordphone.local');
 * await overlay.attach('5f1c…');             // a direct link (Attach, §6.5.1) to that Node-ID
 * overlay.capture();                         // pcap bytes of this peer's RELOAD traffic
 * ```
 */
import type { OverlayMode, OverlayPeer } from '../../reload/overlay/index.js';
import type { StorageClosedError } from '../../reload/storage/index.js';
import { fromHex, toHex } from '../../reload/wire/codec/hex.js';
import { systemClock } from '../../platform/system-clock.js';
import { describeError } from '../error-text.js';
import { createTrafficCapture, type TrafficCapture } from './capture-network.js';
import { CHORDPHONE_KINDS, NOTE_MAX_SIZE } from './chordphone-kinds.js';
import { joinOverlay, type JoinedOverlay, type JoinOverlayInit, type JoinPhase, type OverlayClientDeps } from './overlay-client.js';

export type OverlayPhase = 'idle' | JoinPhase | 'failed' | 'closed';

/** One row of the link table (the Connection Table). */
export interface LinkRow {
  readonly nodeId: string;
  /** From the link's address: a WebSocket URL, or a WebRTC data channel. */
  readonly transport: 'websocket' | 'webrtc' | 'other';
  readonly remoteAddress: string;
  readonly state: string;
  readonly rttMs?: number;
}

export interface OverlaySnapshot {
  readonly phase: OverlayPhase;
  /** What is happening, for people. */
  readonly detail: string;
  readonly error?: string;
  readonly overlayName?: string;
  readonly nodeId?: string;
  readonly userName?: string;
  readonly joined: boolean;
  readonly links: readonly LinkRow[];
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
  /** `peer` (in the ring) or `client` (RFC 6940 §4.2: attached to one peer, routing and storing nothing for others). */
  readonly mode?: OverlayMode;
  /** A client's attached peer (hex Node-ID), while it has one. */
  readonly attachedPeer?: string;
  /** ms from `start()` to joined. */
  readonly joinMs?: number;
  /** ms from `start()` to the start of each phase it went through (where the join time goes). */
  readonly phaseMs: Readonly<Partial<Record<JoinPhase, number>>>;
  /** Whether this start reused a stored identity (false: it enrolled). */
  readonly reusedIdentity?: boolean;
  readonly capturedPackets: number;
}

export interface Overlay {
  getSnapshot(): OverlaySnapshot;
  subscribe(listener: () => void): () => void;
  /** Configuration, identity and join; resolves when joined, rejects (and shows `failed`) otherwise. */
  start(): Promise<void>;
  /** Store `text` as this user's NOTE (RFC 6940 §7.4.1 Store). */
  storeNote(text: string): Promise<void>;
  /** Fetch `userName`'s NOTE (§7.4.2 Fetch); undefined when there is none. */
  fetchNote(userName: string): Promise<string | undefined>;
  /** Attach (RFC 6940 §6.5.1) to the peer with this Node-ID (hex): a direct link to it. */
  attach(nodeId: string): Promise<void>;
  /** The pcap file of this peer's RELOAD traffic so far. */
  capture(): Uint8Array;
  /** The peer, once joined (tests and the softphone layer). */
  readonly peer: OverlayPeer | undefined;
  /** Everything the join made (peer, configuration, identity, network), once joined: for the softphone layer. */
  readonly joined: JoinedOverlay | undefined;
  /**
   * Stop: the snapshot says `closed` at once; settles once a start under way has ended and the
   * peer is closed (no peer of this overlay is on the ring any more: its device slot may go back,
   * device-slot.ts). Its records close after that (`joined.recordsClosed`, which says why that is
   * not awaited here). Called again, the same close.
   */
  close(): Promise<void>;
}

export interface OverlayInit extends Omit<JoinOverlayInit, 'onPhase' | 'nodeIdSlot'> {
  /**
   * Which Node-ID of the certificate (JoinOverlayInit.nodeIdSlot), or the claim of it that `start`
   * awaits first (overlay-boot.ts: the guest tab's device slot, device-slot.ts); a rejection fails the start.
   */
  readonly nodeIdSlot?: number | Promise<number>;
  /** How often the snapshot refreshes the link table and neighbours (ms); default 500. */
  readonly refreshMs?: number;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function transportOf(remoteAddress: string): LinkRow['transport'] {
  if (/^wss?:\/\//i.test(remoteAddress)) return 'websocket';
  if (/^(webrtc|datachannel|dc|ice)[:/]/i.test(remoteAddress)) return 'webrtc';
  return 'other';
}

export function createOverlay(deps: OverlayClientDeps, init: OverlayInit): Overlay {
  // The one time source of this overlay, the peer's too (OverlayClientDeps.clock): phaseMs and joinMs.
  const clock = deps.clock ?? systemClock;
  const listeners = new Set<() => void>();
  const capture: TrafficCapture = createTrafficCapture();
  let snapshot: OverlaySnapshot = { phase: 'idle', detail: 'not started', joined: false, links: [], predecessors: [], successors: [], phaseMs: {}, capturedPackets: 0 };
  let joined: JoinedOverlay | undefined;
  let started: Promise<void> | undefined;
  let refresh: ReturnType<typeof setInterval> | undefined;
  let closing: Promise<void> | undefined;
  const abort = new AbortController();

  const set = (patch: Partial<OverlaySnapshot>) => {
    snapshot = { ...snapshot, ...patch, capturedPackets: capture.packets() };
    for (const l of [...listeners]) l();
  };

  const observe = () => {
    const peer = joined?.peer;
    if (!peer) return;
    const status = peer.status();
    const links = peer.neighbours().map(({ nodeId, link }) => ({
      nodeId: toHex(nodeId),
      transport: transportOf(link.remoteAddress),
      remoteAddress: link.remoteAddress,
      state: link.state,
      ...(link.rtt !== undefined ? { rttMs: Math.round(link.rtt) } : {}),
    }));
    const same = (a: readonly unknown[], b: readonly unknown[]) => JSON.stringify(a) === JSON.stringify(b);
    const predecessors = status.predecessors.map(toHex);
    const successors = status.successors.map(toHex);
    const mode = status.mode ?? 'peer';
    const attachedPeer = status.attachedPeer ? toHex(status.attachedPeer) : undefined;
    if (
      status.joined === snapshot.joined &&
      mode === snapshot.mode &&
      attachedPeer === snapshot.attachedPeer &&
      same(links, snapshot.links) &&
      same(predecessors, snapshot.predecessors) &&
      same(successors, snapshot.successors) &&
      capture.packets() === snapshot.capturedPackets
    )
      return;
    const { attachedPeer: _gone, ...rest } = snapshot;
    snapshot = rest;
    set({ joined: status.joined, links, predecessors, successors, mode, ...(attachedPeer ? { attachedPeer } : {}) });
  };

  /** The joined peer has left (it runs no more): not joined any more, and says why (the status view offers to join again). */
  const failedAfterJoin = (error: string, detail: string): void => {
    if (abort.signal.aborted) return;
    if (refresh) clearInterval(refresh);
    refresh = undefined;
    set({ phase: 'failed', joined: false, error, detail });
  };
  // RFC 6940 §6.5.4: the peer left to restart with a newer configuration, and the new one could not join.
  const onRestartFailed = (e: unknown): void => {
    init.onRestartFailed?.(e);
    failedAfterJoin(describeError(e), 'could not join again with the newer configuration');
  };
  // The records were closed under the peer, which left the overlay (overlay-client.ts, RFC 6940 §10.9).
  const onStorageLost = (e: StorageClosedError): void => {
    init.onStorageLost?.(e);
    // The error as it is: the detail says what to do (describeError's advice for closed data would say it twice).
    failedAfterJoin(e.message, "this tab's records database was closed by the browser or another tab: reload the page to join again");
  };

  const requirePeer = (): OverlayPeer => {
    if (!joined) throw new Error('not joined to the overlay yet');
    return joined.peer;
  };

  const overlay: Overlay = {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get peer() {
      return joined?.peer;
    },
    get joined() {
      return joined;
    },
    start() {
      started ??= (async () => {
        const t0 = clock.now();
        try {
          // A claim is awaited (settled already when claimed early, early-boot.ts); a number is used at once.
          const nodeIdSlot = typeof init.nodeIdSlot === 'object' ? await init.nodeIdSlot : (init.nodeIdSlot ?? 0);
          joined = await joinOverlay(
            { ...deps, wrapNetwork: (n) => capture.wrap(deps.wrapNetwork ? deps.wrapNetwork(n) : n) },
            {
              ...init,
              nodeIdSlot,
              signal: abort.signal,
              // A closed overlay stays `closed`: a phase told late (the join stopping) is not its state.
              // A phase told again changes only the detail: it started at its first telling
              // (JoinOverlayInit.onPhase), so the time the records' wait takes stays the join's.
              onPhase: (phase, detail) => {
                if (abort.signal.aborted) return;
                const phaseMs = phase in snapshot.phaseMs ? snapshot.phaseMs : { ...snapshot.phaseMs, [phase]: Math.round(clock.now() - t0) };
                set({ phase, detail, phaseMs });
              },
              onRestartFailed,
              onStorageLost,
            },
          );
          // Closed as the join ended: close() closes this peer once the start has ended.
          abort.signal.throwIfAborted();
          const { peer, configuration, identity } = joined;
          set({
            phase: 'joined',
            joinMs: Math.round(clock.now() - t0),
            overlayName: configuration.instanceName,
            nodeId: toHex(peer.nodeId),
            userName: peer.userName,
            reusedIdentity: !identity.enrolled,
          });
          observe();
          refresh = setInterval(observe, init.refreshMs ?? 500);
        } catch (e) {
          // Closed meanwhile: it says so, not why the start it stopped failed.
          if (!abort.signal.aborted) set({ phase: 'failed', error: describeError(e), detail: 'could not join the overlay' });
          throw e;
        }
      })();
      return started;
    },
    async storeNote(text) {
      const peer = requirePeer();
      const value = utf8.encode(text);
      if (value.length > NOTE_MAX_SIZE) throw new RangeError(`a note is at most ${NOTE_MAX_SIZE} bytes`);
      await peer.store(peer.userName, CHORDPHONE_KINDS.note, [{ value }]);
      observe();
    },
    async fetchNote(userName) {
      const peer = requirePeer();
      const outcome = await peer.fetch(userName.trim().toLowerCase(), [{ kind: CHORDPHONE_KINDS.note }]);
      observe();
      for (const kr of outcome.answer.kindResponses) {
        for (const v of kr.values) {
          if (v.value.model === 'single' && v.value.singleValueEntry.exists) return fromUtf8.decode(v.value.singleValueEntry.value);
        }
      }
      return undefined;
    },
    async attach(nodeIdHex) {
      const peer = requirePeer();
      const nodeId = fromHex(nodeIdHex.trim().toLowerCase());
      if (!nodeId || nodeId.length !== peer.nodeId.length) throw new RangeError(`"${nodeIdHex}" is not a Node-ID (${peer.nodeId.length * 2} hex digits)`);
      await peer.attach(nodeId);
      observe();
    },
    capture: () => capture.toBytes(),
    close() {
      if (closing) return closing;
      abort.abort();
      if (refresh) clearInterval(refresh);
      // A start under way stops (joinOverlay closes what it made); then the joined peer (its
      // records, an IndexedDB connection, close after: a tab that joins again opens another).
      const ending = started?.catch(() => undefined);
      closing = (async () => {
        await ending;
        await joined?.close();
      })();
      set({ phase: 'closed', joined: false, detail: 'closed' });
      return closing;
    },
  };
  return overlay;
}
