/**
 * Joining a CHORD-RELOAD overlay (RFC 6940 §10.5, §11.4), the joining node's side: the bootstrap
 * link (step 1), the Attach to the admitting peer with its Routing Table (step 2), the Attaches to
 * neighbours and fingers (steps 3-4), the Join (step 5), waiting for the Update that labels it the
 * admitting peer's predecessor (step 7), and its own Updates (step 9). The admitting peer's side
 * (steps 5-8) is chord-admission.ts.
 */
import { nodeIdKey } from '../../forwarding/index.js';
import { AbortError, withTimeout, type AbortOptions } from '../../runtime/components.js';
import { ReloadError } from '../../runtime/reload-error.js';
import type { NodeId } from '../../wire/ids.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import { LINK_LOCAL, node, resource, type ChordCore } from './chord-core.js';
import type { ChordMaintenance } from './chord-maintenance.js';
import type { ChordStabilization } from './chord-stabilization.js';
import { nextId, sameId } from './ring.js';

/** The error a join step that ran out of time rejects with. */
const timedOut = (ms: number) => () => new Error(`timed out after ${ms} ms`);

/** Something to wait for, settled from elsewhere. */
interface Waiter {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * OUR CHOICE: longest the Join (step 5) waits for the Attaches of steps 3-4, one default
 * overlay-reliability-timer (RFC 6940 §6.2.1: 3 s). A peer that died a moment ago is still in the
 * admitting peer's table; the Attach to it is dropped silently on the way (§6.1.1) and fails only
 * after its 5th transmission, some 15 s later. Steps 3-4 are SHOULDs; step 9's Updates still wait
 * for every Attach (ChordMaintenance.scheduleFlush), as the MUST NOT closing §10.5 requires.
 */
export const JOIN_ATTACHES_WAIT_MS = 3_000;

/**
 * OUR CHOICE: how often a join starts over at once, without the backoff of a failed attempt, when
 * the admitting peer refuses the Join with Error_Forbidden (ChordAdmission.handleJoin: it is no longer responsible
 * for n, or not yet a peer), or when the Attach for n+1 (step 2) ends in Error_Loop_Detected. Those
 * answers mean that the ring around n is changing, not that the overlay is overloaded: in a burst
 * of joins (thirty laptops scanning one QR code) a peer that joined between JN and AP a moment
 * earlier took n's range, and the Attach for n+1 of a new attempt reaches the peer now
 * responsible; peers in the middle of their own joins briefly disagree on who follows whom, and a
 * message can come back round to them. Bounded so that a ring that keeps refusing falls back to
 * the backed-off attempts.
 */
export const JOIN_QUICK_RETRIES = 16;

/** Longest random wait (ms) before a quick retry, so joiners sent back at once do not all come back together. */
const QUICK_RETRY_JITTER_MS = 100;

/**
 * Only an attempt that met a changing ring (RingChanged) within this long (ms) starts over at once:
 * one that waited out AP's Update or its Attaches first backs off as any failed attempt does, so
 * that a refusal that never changes (or an AP that refuses on purpose) does not cost sixteen slow
 * attempts.
 */
const QUICK_RETRY_WITHIN_MS = 5_000;

/** The ring around n changed under the attempt (JOIN_QUICK_RETRIES): start over at once. */
class RingChanged extends Error {
  override readonly name = 'RingChanged';

  constructor(
    /** The answer that showed it (Error_Forbidden or Error_Loop_Detected). */
    readonly answer: ReloadError,
    step: string,
  ) {
    super(`${step}: ${answer.message}`, { cause: answer });
  }
}

export class ChordJoin {
  /** The admitting peer of the attempt in progress. */
  private admitting: string | undefined;
  /**
   * Peers whose `full` Update (send_update) has arrived during this attempt, each with whether its
   * lists were short of their sizes: then it named the whole ring as it knows it.
   */
  private readonly fullFrom = new Map<string, boolean>();
  private tableWaiter: { key: string; w: Waiter } | undefined;
  private admitted: Waiter | undefined;

  constructor(
    private readonly core: ChordCore,
    private readonly maintenance: ChordMaintenance,
    private readonly stabilization: ChordStabilization,
  ) {}

  async join(bootstrap: readonly string[], options: AbortOptions = {}): Promise<void> {
    const core = this.core;
    if (core.state === 'joined') return;
    if (core.state !== 'idle' && core.state !== 'failed') throw new Error(`cannot join in state ${core.state}`);
    const addresses = bootstrap.filter((a) => !core.ownAddresses.includes(a));
    this.stabilization.bootstrap = addresses;
    core.transition('bootstrapping', 'join');
    if (addresses.length === 0) {
      // §6.4.2.1: "some mechanism whereby nodes can determine that they are potentially the first
      // node": being given no other bootstrap node than itself.
      this.becomeJoined('first peer of the overlay');
      return;
    }
    let lastError: unknown;
    let quickRetries = 0;
    // An attempt counts (and backs off) unless it was a quick restart after the ring changed.
    for (let attempt = 1; attempt <= core.params.joinAttempts; ) {
      // The caller's own reason (signal.reason), not a generic AbortError: it says why the join ended.
      options.signal?.throwIfAborted();
      if (core.stopped) throw new AbortError('stopped');
      const startedAt = core.deps.clock.now();
      try {
        await withTimeout(core.deps.clock, this.attempt(addresses, options), core.params.joinTimeoutMs, timedOut(core.params.joinTimeoutMs));
        return;
      } catch (e) {
        // The ring change's error itself (Error_Forbidden or Error_Loop_Detected, its code kept) is
        // what a join that gives up reports.
        lastError = e instanceof RingChanged ? e.answer : e;
        if (core.stopped) break;
        // Aborted during the attempt (its requests end with their own AbortError): no backoff first.
        options.signal?.throwIfAborted();
        core.transition('bootstrapping', 'retry');
        if (e instanceof RingChanged && quickRetries < JOIN_QUICK_RETRIES && core.deps.clock.now() - startedAt <= QUICK_RETRY_WITHIN_MS) {
          quickRetries++;
          core.log.debug('the ring changed under the join; starting over', { quickRetries, error: String(e) });
          await this.sleep(core.jitter(QUICK_RETRY_JITTER_MS));
          continue;
        }
        core.log.info('join attempt failed', { attempt, error: String(e) });
        await this.sleep(1000 * attempt + core.jitter(1000 * attempt));
        attempt++;
      }
    }
    if (!core.stopped) core.transition('failed', String(lastError));
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  private async attempt(addresses: readonly string[], options: AbortOptions): Promise<void> {
    const core = this.core;
    const { connector, transport } = core.deps;
    this.fullFrom.clear();
    // Step 1 (§11.4): "form the DTLS or TLS connection to the bootstrap node".
    let bootstrapPeer: NodeId | undefined;
    for (const address of addresses) {
      try {
        bootstrapPeer = await connector.connect(address, options);
        break;
      } catch (e) {
        core.log.debug('bootstrap node unreachable', { address, error: String(e) });
      }
    }
    if (!bootstrapPeer) throw new Error('no bootstrap node reachable');
    this.stabilization.reachedBootstrap(bootstrapPeer);
    // Bootstrap nodes are peers: route through it until we know better.
    this.maintenance.addPeer(bootstrapPeer);
    core.transition('attaching', 'bootstrap link up');
    // Step 2: "JN SHOULD send an Attach request to the Admitting Peer (AP) for Resource-ID n+1. The
    // "send_update" flag can be used to acquire the Routing Table of AP."
    let ap: NodeId;
    try {
      ap = await connector.attach([resource(nextId(core.self))], { sendUpdate: true, ...options });
    } catch (e) {
      if (e instanceof ReloadError && e.codeName === 'Error_Loop_Detected') throw new RingChanged(e, 'the Attach for n+1 looped');
      throw e;
    }
    if (sameId(ap, core.self)) throw new Error('the Attach for n+1 came back to this peer');
    const apKey = nodeIdKey(ap);
    this.admitting = apKey;
    this.maintenance.addPeer(ap);
    // AP's Routing Table arrives as its `full` Update once the link is up (§6.4.2.3).
    if (!this.fullFrom.has(apKey)) {
      const w = waiter();
      this.tableWaiter = { key: apKey, w };
      await withTimeout(this.core.deps.clock, w.promise, 15_000, timedOut(15_000));
    }
    // Step 3-4: Attaches to the neighbours (launched as AP's Update was taken in); every peer
    // contacted enters the Routing Table. "The Joining Node MUST NOT send any Update message placing
    // itself in the overlay until it has successfully completed an Attach with each peer that
    // should be in its Neighbor Table." At most JOIN_ATTACHES_WAIT_MS (an Attach to a dead peer never settles sooner).
    await withTimeout(core.deps.clock, this.maintenance.attachesSettled(), JOIN_ATTACHES_WAIT_MS, timedOut(JOIN_ATTACHES_WAIT_MS)).catch(() => undefined);
    // Step 3, fingers: "In order to set up its i'th Finger Table entry, JN MUST send an Attach to
    // peer n+2^(128-i)" — for the entries still empty (a neighbour may fill one); they need not
    // hold up the Join. AP's fingers are not copied (chord-maintenance.ts onUpdate).
    // OUR READING: not when AP's lists were short of their sizes and held the same peers (§10.7:
    // "even though this will not be possible if the ring is very small"; namesWholeRing): then
    // AP's Update named every peer of the ring, JN has
    // Attached to them all (steps 3-4), and each of those Attaches would be answered by one of them
    // again. In a burst of joins into a young overlay (a workshop's thirty laptops at once) they were
    // some sixteen Attaches per joining node, all to the same few peers. §10.7.4.2's periodic search
    // takes over as the ring grows.
    if (!this.fullFrom.get(apKey)) {
      for (const i of core.table.fingerIndices(core.params.minFingers)) {
        if (core.table.finger(i) === undefined) void this.stabilization.searchFinger(i, 'start');
      }
    }
    // Step 5: "JN MUST send a Join to AP." From here JN answers for its range (join-state.ts).
    this.admitted = waiter();
    core.transition('joining', 'Join sent');
    try {
      await transport.request([node(ap)], { name: 'join_req', value: { joiningPeerId: core.self, overlaySpecificData: new Uint8Array(0) } }, { ...options, ...LINK_LOCAL });
    } catch (e) {
      if (e instanceof ReloadError && e.codeName === 'Error_Forbidden') throw new RingChanged(e, 'the admitting peer refused the Join');
      throw e;
    }
    // Step 7: "AP MUST send JN an Update explicitly labeling JN as its predecessor."
    await this.admitted.promise;
    this.becomeJoined(`admitted by ${apKey}`);
  }

  private becomeJoined(reason: string): void {
    this.admitting = undefined;
    this.fullFrom.clear();
    this.admitted = undefined;
    this.core.transition('joined', reason);
    this.maintenance.resetReplicationState();
    this.stabilization.start();
    // Step 9: "JN MUST send Updates to all of the peers in its Neighbor Table" (and, Figure 6, to
    // "everyone in its Routing Table to tell them it is ready to go").
    this.maintenance.scheduleFlush();
  }

  /** Watch Updates for what the join waits on (AP's table, step 7's labelling). */
  onUpdate(sender: NodeId, update: ChordUpdate): void {
    const key = nodeIdKey(sender);
    if (update.type === ChordUpdateType.full && this.core.state === 'attaching') {
      this.fullFrom.set(key, namesWholeRing(update, this.core.params));
      if (this.tableWaiter?.key === key) {
        this.tableWaiter.w.resolve();
        this.tableWaiter = undefined;
      }
    }
    if (this.core.state === 'joining' && key === this.admitting && update.type !== ChordUpdateType.peer_ready) {
      if (update.predecessors.some((p) => sameId(p, this.core.self))) this.admitted?.resolve();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.core.deps.clock.setTimer(ms, resolve));
  }
}

/**
 * Whether a `full` Update names the whole ring as its sender knows it: both lists short of their
 * sizes and holding the same peers (the ring is smaller than the lists, which wrap round it). Short
 * lists alone may only mean that the sender lost neighbours a moment ago.
 */
function namesWholeRing(update: ChordUpdate, sizes: { readonly predecessors: number; readonly successors: number }): boolean {
  if (update.type !== ChordUpdateType.full) return false;
  const { predecessors, successors } = update;
  if (predecessors.length >= sizes.predecessors || successors.length >= sizes.successors || predecessors.length !== successors.length) return false;
  const keys = new Set(predecessors.map((id) => nodeIdKey(id)));
  return successors.every((id) => keys.has(nodeIdKey(id)));
}
