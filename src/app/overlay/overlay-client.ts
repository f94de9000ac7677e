/**
 * Joining an overlay given its server's URL, the way a browser tab or `chordphone peer` does
 * (issue 5): fetch and verify the configuration (RFC 6940 §11.2, §11.1), enroll or reuse the
 * stored identity (§11.3), compose the peer, and join (§10.5) through a bootstrap WebSocket URL
 * of the configuration (ARCHITECTURE.md "Bootstrap"), then publish its certificate (§8) and follow
 * newer configurations (§6.5.4). Progress goes to `onPhase`, for the status
 * view. No DOM here: the platform (fetch, key store, storage, network) is injected.
 */
import { systemClock } from '../../platform/system-clock.js';
import type { PeerNetwork } from '../../reload/overlay/index.js';
import { waitFor, type Clock } from '../../reload/runtime/components.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { SerialQueue } from '../../reload/runtime/serial-queue.js';
import { ErrorCode } from '../../reload/wire/message-codes.js';
import type { StorageBackend } from '../../reload/storage/index.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import { composePeer, peerSecurity, type ComposedPeer } from './compose-peer.js';
import { loadConfiguration } from './configuration-fetch.js';
import { iceServersOf } from './ice-servers.js';
import { joinRecords } from './join-records.js';
import { identityLockName, obtainPeerIdentity } from './peer-identity.js';
import type { JoinedOverlay, JoinOverlayInit, OverlayClientDeps } from './overlay-client-types.js';
import { untilAborted } from './until-aborted.js';

// The types are the join's contract, apart (overlay-client-types.ts); importers keep this module's names.
export type { JoinedOverlay, JoinOverlayInit, JoinPhase, OverlayClientDeps } from './overlay-client-types.js';

/** How long a join refused with Error_Config_Too_Old waits for the ConfigUpdate that follows (§6.3.2.1). */
export const CONFIG_UPDATE_WAIT_MS = 3_000;
/** Newer configurations taken on one join before giving up (a bootstrap that keeps changing). */
const MAX_CONFIGURATION_RESTARTS = 3;

interface Running {
  readonly peer: ComposedPeer;
  readonly network: PeerNetwork;
  readonly configuration: Configuration;
  readonly document: string;
  readonly published: Promise<boolean>;
}

/**
 * Everything up to a joined peer. On failure the peer (if made) is closed and the error thrown.
 *
 * RFC 6940 §6.5.4 ConfigUpdate: a newer, verified configuration (pushed by a peer that saw our
 * older sequence, §6.3.2.1) restarts the peer with it, with the same identity and records (the
 * storage backend is kept), and joins again through the same bootstrap URLs; `peer`,
 * `configuration` and `network` of the result then name the new ones and `onRestart` is told.
 * A join refused because our configuration is too old waits briefly for that ConfigUpdate and
 * joins with it.
 */
export async function joinOverlay(deps: OverlayClientDeps, init: JoinOverlayInit): Promise<JoinedOverlay> {
  const phase = init.onPhase ?? (() => {});
  const log = deps.logger;
  const clock = deps.clock ?? systemClock;
  phase('configuring', `fetching the overlay configuration from ${new URL(init.serverUrl).origin}`);
  const loading = loadConfiguration(deps, init.serverUrl, init.signal ? { signal: init.signal } : {});
  const served = await loading.unverified;
  // RFC 6940 §11.1: "Recipients MUST verify the signature prior to accepting the configuration
  // file". The identity work overlaps the verification (issue 5): it reads this browser's key
  // store, makes a key and asks the server the document came from for a certificate, and keeps
  // and hands over nothing until the document is verified (peer-identity.ts `accepted`).
  // A refused document stops the identity work too (an enrollment not yet asked is not asked).
  const refused = new AbortController();
  loading.verified.catch((e: unknown) => refused.abort(e));
  const identitySignal = init.signal ? AbortSignal.any([init.signal, refused.signal]) : refused.signal;
  const credentialsName = typeof init.credentialsName === 'function' ? init.credentialsName(served.configuration) : (init.credentialsName ?? served.configuration.instanceName);
  const identityWork = obtainPeerIdentity(deps, {
    configuration: served.configuration,
    configurationUrl: served.url,
    credentialsName,
    userName: init.userName,
    ...(init.extractable !== undefined ? { extractable: init.extractable } : {}),
    signal: identitySignal,
    onEnroll: () => phase('enrolling', 'asking the enrollment server for a certificate'),
    // The phase says what is waited for in words (phase-text.ts); the detail names the lock.
    onWait: () => phase('waiting-for-identity', `another tab holds the Web Lock ${identityLockName(credentialsName)}`),
    onWaitEnded: () => phase('checking-identity', 'checking the identity stored in this browser'),
    ...(init.nodeIdSlot ? { nodeIds: init.nodeIdSlot + 1 } : {}),
    ...(init.enrollNodeIds ? { enrollNodeIds: init.enrollNodeIds } : {}),
    accepted: loading.verified,
  });
  identityWork.catch(() => undefined);
  // A refused configuration is the error to report, whatever the identity work did meanwhile.
  const fetched = await loading.verified;
  deps.prepareNetwork?.(fetched.configuration);
  const identity = await identityWork;
  const nodeId = identity.certificate.nodeIds[init.nodeIdSlot ?? 0];
  if (!nodeId) throw new Error(`the certificate carries ${identity.certificate.nodeIds.length} Node-IDs, not ${(init.nodeIdSlot ?? 0) + 1}`);
  const listed = init.bootstrap ?? fetched.configuration.bootstrapWebSockets;
  const bootstrap = init.chooseBootstrap ? init.chooseBootstrap(listed) : listed;
  if (bootstrap.length === 0) throw new Error('the configuration lists no bootstrap WebSocket URL to join through');
  // Records are kept per overlay and the Node-ID this peer signs as. Opened here, so closed here,
  // once (a SQLite file is held, an IndexedDB connection open, until then): when the join fails or
  // the joined overlay closes, after the last peer over it has closed. A restart with a newer
  // configuration passes it on to the new peer. A failed join is thrown without waiting for it,
  // unless closeAwaitsRecords (JoinedOverlay.recordsClosed says why); nothing else holds them.
  const records = joinRecords(deps.openStorage(fetched.configuration.instanceName, nodeId), log);
  const release = (): Promise<void> => (deps.closeAwaitsRecords ? records.release() : (void records.release(), Promise.resolve()));
  // Aborted by close (or the caller's signal): a join under way, a restart's join and leave stop.
  const stopping = new AbortController();
  const signal = init.signal ? AbortSignal.any([init.signal, stopping.signal]) : stopping.signal;

  // A newer configuration accepted by the running peer's ConfigUpdate service.
  let newer: { configuration: Configuration; document: string } | undefined;
  let newerArrived: (() => void) | undefined;
  let running: Running | undefined;
  const restarts = new SerialQueue();

  const start = async (configuration: Configuration, document: string, joining: AbortController): Promise<Omit<Running, 'published'>> => {
    const security = await peerSecurity(configuration, identity, deps.crypto, nodeId);
    let network = await deps.createNetwork({ security, configuration, iceServers: iceServersOf(configuration) });
    if (deps.wrapNetwork) network = deps.wrapNetwork(network);
    const onConfiguration = (c: Configuration, d: string) => {
      newer = { configuration: c, document: d };
      newerArrived?.();
      // Once joined, restart after this ConfigUpdate's answer has gone out; while joining, stop
      // that join (its requests carry the old sequence) and join again with this configuration.
      // A task of the event loop, not a time: the answer goes out in this one (so not on the
      // injected clock, whose time a test may hold still).
      if (running?.peer === peer) setTimeout(queueRestart, 0);
      else joining.abort(new Error('a newer configuration arrived'));
    };
    const peer = await composePeer({ configuration, configurationDocument: document, security, network, storage, clock, onConfiguration, ...(init.mode ? { mode: init.mode } : {}), ...(log ? { logger: log } : {}) });
    return { peer, network, configuration, document };
  };

  const joinWith = async (configuration: Configuration, document: string): Promise<Running> => {
    for (let attempt = 0; ; attempt++) {
      newer = undefined;
      const joining = new AbortController();
      const s = await start(configuration, document, joining);
      try {
        await s.peer.join(bootstrap, { signal: AbortSignal.any([signal, joining.signal]) });
        // §8: "A user/node MUST store its certificate"; a failure is logged, the peer stays joined.
        const published = s.peer.publishCertificate({ signal }).then(
          () => true,
          (e: unknown) => (log?.warn('could not publish our certificate (RFC 6940 §8)', { error: String(e) }), false),
        );
        return { ...s, published };
      } catch (e) {
        if (!newer && isConfigTooOld(e)) await waitFor(clock, CONFIG_UPDATE_WAIT_MS, (resolve) => (newerArrived = resolve));
        newerArrived = undefined;
        s.peer.close();
        const next = newer as { configuration: Configuration; document: string } | undefined;
        if (!next || attempt >= MAX_CONFIGURATION_RESTARTS || signal.aborted) throw e;
        log?.info('joining again with the newer configuration a ConfigUpdate brought', { sequence: next.configuration.sequence ?? 0 });
        ({ configuration, document } = next);
      }
    }
  };

  // Restarts run one after another; the queue never stays rejected, or every later one would be skipped.
  const queueRestart = (): void => {
    void restarts.run(restart).catch((e: unknown) => log?.error('the restart with a newer configuration failed', { error: String(e) }));
  };

  async function restart(): Promise<void> {
    const next = newer;
    const old = running;
    if (signal.aborted || !next || !old || (next.configuration.sequence ?? 0) === (old.configuration.sequence ?? 0)) return;
    log?.info('restarting the peer with a newer configuration (RFC 6940 §6.5.4)', { sequence: next.configuration.sequence ?? 0 });
    await old.peer.leave({ signal }).catch(() => old.peer.close());
    try {
      running = await joinWith(next.configuration, next.document);
    } catch (e) {
      if (signal.aborted) return;
      log?.error('could not join again with the newer configuration', { error: String(e) });
      init.onRestartFailed?.(e);
      return;
    }
    if (signal.aborted) {
      running.peer.close();
      return;
    }
    await deps.saveConfiguration?.(running.document, running.configuration).catch((e: unknown) => log?.warn('could not keep the newer configuration', { error: String(e) }));
    // The caller's trouble with the news is its own: the peer runs, and later restarts still come.
    try {
      init.onRestart?.(joined);
    } catch (e) {
      log?.error('onRestart threw after the restart with a newer configuration', { error: String(e) });
    }
  }

  const joining = `${init.mode === 'client' ? 'attaching as a client' : 'joining'} through ${bootstrap[0]}`;
  phase('joining', joining);
  let storage: StorageBackend;
  try {
    // Said only when the records' lock is not free (rare: a rejoin with this Node-ID right after
    // its last overlay), in words that stay true while it then joins: no third report. Told as
    // `joining` again, its detail changed: the phase keeps its first start (JoinOverlayInit.onPhase).
    storage = await records.ready(signal, () => phase('joining', `${joining} once this peer's records are free: an earlier overlay with this Node-ID has an operation on them under way`));
    running = await joinWith(fetched.configuration, fetched.xml);
  } catch (e) {
    // joinWith closed the peer it made.
    await release();
    throw e;
  }
  // Newly enrolled credentials were being saved meanwhile: joined means kept for the next visit
  // too. The wait ends with the caller's signal (the overlay closed): a save that never settles
  // does not keep close() (and so the tab's device slot, device-slot.ts) from settling.
  try {
    await untilAborted(identity.stored, init.signal);
    if (running.document !== fetched.xml) await deps.saveConfiguration?.(running.document, running.configuration).catch(() => undefined);
    // Aborted while those were awaited: the caller no longer wants this peer.
    init.signal?.throwIfAborted();
  } catch (e) {
    stopping.abort(e);
    // RFC 6940 §10.9: it was admitted already; leaving hands its range back. Thrown once it has
    // left: the caller (overlay.ts close) may give its Node-ID to another tab then (device-slot.ts).
    await leaveThenClose(running.peer);
    await release();
    throw e;
  }
  const current = (): Running => running!;
  let closing: Promise<void> | undefined;
  let closed!: () => void;
  const recordsClosed = new Promise<void>((resolve) => (closed = resolve)).then(records.release);
  const joined: JoinedOverlay = {
    get peer() {
      return current().peer;
    },
    get configuration() {
      return current().configuration;
    },
    get network() {
      return current().network;
    },
    get certificatePublished() {
      return current().published;
    },
    identity,
    fetched,
    bootstrap,
    close() {
      if (closing) return closing;
      stopping.abort(new Error('the overlay was closed'));
      current().peer.close();
      // A restart under way ends (its join aborted, or its new peer closed since `signal` aborted);
      // then no peer over the records is left, and they close.
      const peerClosed = restarts.settled();
      void peerClosed.then(closed);
      closing = deps.closeAwaitsRecords ? peerClosed.then(() => recordsClosed) : peerClosed;
      return closing;
    },
    recordsClosed,
  };
  // RFC 6940 §10: a peer is responsible for its range, answering Stores and Fetches and taking
  // replicas (§10.4) from its records. Records closed under it fail every one of them, while the
  // ring still sends them here; so it leaves, and its neighbours take the range over (§10.9:
  // "peers SHOULD send a Leave request to all members of their Neighbor Table before exiting").
  // OUR CHOICE: not reopened here: what closed it (the database deleted, or opened at a newer
  // version by another tab) wants it closed, and the user is told (onStorageLost) to join again.
  void storage.closedUnder
    ?.then(async (e) => {
      if (signal.aborted) return;
      log?.error('the records were closed under the peer; leaving the overlay', { error: e.message });
      stopping.abort(e);
      await leaveThenClose(current().peer);
      await restarts.settled();
      // No peer over the records is left: they close, as after close() (recordsClosed settles).
      closed();
      await recordsClosed;
      init.onStorageLost?.(e);
    })
    .catch((e: unknown) => log?.error('onStorageLost threw', { error: String(e) }));
  phase('joined', init.mode === 'client' ? `attached as a client, ${identity.certificate.userName}` : `joined as ${identity.certificate.userName}`);
  return joined;
}

/**
 * RFC 6940 §10.9: an admitted peer going away hands its range back ("peers SHOULD send a Leave
 * request to all members of their Neighbor Table before exiting"), then closes; a Leave that fails
 * still closes it. Settles once it is closed.
 */
function leaveThenClose(peer: ComposedPeer): Promise<void> {
  return peer
    .leave()
    .catch(() => undefined)
    .finally(() => peer.close());
}

function isConfigTooOld(e: unknown): boolean {
  return e instanceof ReloadError && e.code === ErrorCode.Error_Config_Too_Old;
}
