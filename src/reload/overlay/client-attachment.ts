/**
 * How a RELOAD client keeps its place in the overlay (RFC 6940 §4.2.1, first way): "Establish a
 * connection to the peer responsible for the client's Node-ID in the overlay", keep that one link,
 * and follow the responsibility when it moves: "clients that choose this option need to process
 * Update messages from the peer (Section 6.4.2.3). These updates can indicate that the peer is no
 * longer responsible for the client's Node-ID. The client would then need to form a connection to
 * the appropriate peer." A link that fails is replaced the same way.
 *
 * The responsible peer is reached with an Attach routed to the client's own Node-ID taken as a
 * Resource-ID (§6.5.1: "An Attach routed to a Resource-ID will establish a connection with the
 * peer currently responsible for that Resource-ID"); it goes out on whatever link the client has,
 * the first time the bootstrap link (§11.4). The client never sends Join or Update (§6.5.1:
 * "clients (unlike peers) can simply Attach without sending Join or Update"), so no peer puts it
 * in its routing table.
 */
import type { Forwarding, LinkTableEvent } from '../forwarding/index.js';
import { nodeIdKey } from '../forwarding/index.js';
import { AbortError, silentLogger, type AbortOptions, type Clock, type Logger, type Timer } from '../runtime/components.js';
import type { LinkConnector } from '../topology/topology-plugin.js';
import { inHalfOpen, ringPosition } from '../topology/chord/ring.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { ChordUpdateType, type ChordUpdate } from '../wire/methods/chord.js';

export interface ClientAttachmentDeps {
  readonly clock: Clock;
  readonly connector: Pick<LinkConnector, 'connect' | 'attach'>;
  readonly forwarding: Pick<Forwarding, 'localNodeId' | 'isUsable' | 'neighbours' | 'removeLink' | 'onLinkEvent'>;
  readonly logger?: Logger;
}

export interface ClientAttachmentInit {
  /** Pause before trying again after a failed attempt (ms, times the attempt, at most 10×); default 1 000. */
  readonly retryMs?: number;
}

export type ClientAttachmentState = 'idle' | 'attaching' | 'attached' | 'closed';

export class ClientAttachment {
  private readonly log: Logger;
  private readonly self: NodeId;
  private readonly retryMs: number;
  private bootstrap: readonly string[] = [];
  private peer: NodeId | undefined;
  private running: Promise<NodeId> | undefined;
  /**
   * The client needs an attachment of its own accord (its peer's link was lost, or an Update said
   * the peer is no longer responsible): attempts are retried while they fail, until one succeeds.
   */
  private ownNeed = false;
  private retry: Timer | undefined;
  private attempts = 0;
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly listeners = new Set<(peer: NodeId | undefined) => void>();

  constructor(
    private readonly deps: ClientAttachmentDeps,
    init: ClientAttachmentInit = {},
  ) {
    this.log = deps.logger ?? silentLogger;
    this.self = deps.forwarding.localNodeId;
    this.retryMs = init.retryMs ?? 1000;
    this.unsubscribe = deps.forwarding.onLinkEvent((e) => this.onLinkEvent(e));
  }

  /** The peer this client is attached to (its link is in the link table), if any. */
  get attached(): NodeId | undefined {
    return this.peer;
  }

  get state(): ClientAttachmentState {
    if (this.closed) return 'closed';
    if (this.peer && this.deps.forwarding.isUsable(this.peer)) return 'attached';
    // An attempt under way or a retry due, or the attached peer just lost (its re-attach queued).
    return this.running || this.retry || this.peer ? 'attaching' : 'idle';
  }

  /** Called with the new attached peer each time it changes (undefined: lost, re-attaching). */
  onChange(listener: (peer: NodeId | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connect through the first reachable of `bootstrap` (§11.4) and attach to the peer responsible
   * for our Node-ID; resolves with that peer. Rejects when no bootstrap address leads anywhere,
   * or `options.signal` aborts.
   *
   * OUR CHOICE: a start that fails or is aborted ends there (the client is idle again), as a
   * peer's join does (chord-join.ts): the caller was told, and may call start again. Only attempts
   * the client makes of its own accord (reattach) are retried in the background.
   */
  async start(bootstrap: readonly string[], options?: AbortOptions): Promise<NodeId> {
    if (bootstrap.length === 0) throw new RangeError('a client needs a bootstrap address: it cannot start an overlay alone');
    this.bootstrap = [...bootstrap];
    return this.attempt(options);
  }

  /**
   * §4.2.1 / §6.4.2.3: an Update from the peer we are attached to. When its range (its first
   * predecessor, itself] no longer holds our Node-ID, attach to the peer that is responsible now.
   */
  onUpdate(sender: NodeId, update: ChordUpdate): void {
    if (this.closed || !this.peer || !bytesEqual(sender, this.peer) || update.type === ChordUpdateType.peer_ready) return;
    const pred = update.predecessors[0];
    // §10.1: x is responsible for k when k ≤ x and k > p (p its predecessor); alone, for everything.
    if (pred === undefined || inHalfOpen(ringPosition(this.self), ringPosition(pred), ringPosition(sender))) return;
    this.log.debug('the attached peer is no longer responsible for our Node-ID', { peer: nodeIdKey(sender) });
    this.reattach();
  }

  /** Find the responsible peer again of the client's own accord: retried after a pause while it fails. */
  private reattach(): void {
    if (this.closed) return;
    this.ownNeed = true;
    void this.attempt().catch(() => undefined);
  }

  /**
   * One attempt at a time: one asked for while another runs shares it (and its signal). A failed
   * one is retried only while the client needs the attachment of its own accord (`ownNeed`), not
   * for a start() alone: the caller has its rejection, also when its signal aborted the attempt.
   */
  private attempt(options?: AbortOptions): Promise<NodeId> {
    if (this.closed) return Promise.reject(new AbortError('closed'));
    this.retry?.cancel();
    this.retry = undefined;
    this.running ??= this.establish(options).then(
      (peer) => {
        this.running = undefined;
        this.attempts = 0;
        this.ownNeed = false;
        return peer;
      },
      (e: unknown) => {
        this.running = undefined;
        if (this.ownNeed) this.scheduleRetry(e);
        else this.keepOnlyAttached();
        throw e;
      },
    );
    return this.running;
  }

  close(): void {
    this.closed = true;
    this.retry?.cancel();
    this.retry = undefined;
    this.unsubscribe();
    this.listeners.clear();
  }

  private async establish(options?: AbortOptions): Promise<NodeId> {
    // A link to send the Attach on: the current one, any other, else a bootstrap link (§11.4).
    if (!this.deps.forwarding.neighbours().some((n) => this.deps.forwarding.isUsable(n.nodeId))) await this.connectBootstrap(options);
    if (this.closed) throw new AbortError('closed');
    // §6.5.1: "An Attach routed to a Resource-ID will establish a connection with the peer
    // currently responsible for that Resource-ID": our Node-ID as the Resource-ID (§4.2.1).
    const peer = await this.deps.connector.attach([{ kind: 'resource', resourceId: this.self }], options ?? {});
    if (this.closed) throw new AbortError('closed');
    if (bytesEqual(peer, this.self)) throw new Error('the Attach came back to this client: no peer is responsible for its Node-ID');
    const changed = !this.peer || !bytesEqual(this.peer, peer);
    this.peer = peer;
    // Keep that one link (§4.2.1): the bootstrap link and a former attached peer's are closed.
    this.keepOnlyAttached();
    if (changed) {
      this.log.debug('attached', { peer: nodeIdKey(peer) });
      for (const l of [...this.listeners]) l(peer);
    }
    return peer;
  }

  /**
   * §4.2.1: the client keeps "a connection to the peer responsible for the client's Node-ID" and no
   * other: every link but the attached peer's is closed (all of them when it has none).
   */
  private keepOnlyAttached(): void {
    for (const n of this.deps.forwarding.neighbours()) if (!this.peer || !bytesEqual(n.nodeId, this.peer)) this.deps.forwarding.removeLink(n.nodeId);
  }

  /** The first bootstrap address that gives a link (§11.4). */
  private async connectBootstrap(options?: AbortOptions): Promise<NodeId> {
    let last: unknown = new Error('no bootstrap address');
    for (const address of this.bootstrap) {
      if (options?.signal?.aborted) throw new AbortError();
      try {
        return await this.deps.connector.connect(address, options);
      } catch (e) {
        last = e;
        this.log.debug('bootstrap address unreachable', { address, error: String(e) });
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  private scheduleRetry(e: unknown): void {
    if (this.closed || this.retry || this.bootstrap.length === 0) return;
    this.attempts++;
    this.log.debug('could not attach; trying again', { error: String(e), attempt: this.attempts });
    this.retry = this.deps.clock.setTimer(this.retryMs * Math.min(this.attempts, 10), () => {
      this.retry = undefined;
      void this.attempt().catch(() => undefined);
    });
  }

  /** The link to the attached peer was removed or stopped being usable: find the responsible peer again. */
  private onLinkEvent(e: LinkTableEvent): void {
    if (!this.closed && e.type === 'added' && this.state === 'idle') {
      // OUR CHOICE: a client that is not attached and not attaching (its start gave up) keeps no
      // link: one that comes up now, such as the link the answerer of an Attach the caller aborted
      // still makes to it afterwards (the AttachAns was on its way), is closed at once. It would
      // hold a peer connection and keepalives for an overlay the client is not in.
      queueMicrotask(() => {
        if (!this.closed && this.state === 'idle') this.keepOnlyAttached();
      });
      return;
    }
    if (this.closed || !this.peer || !bytesEqual(e.nodeId, this.peer)) return;
    if (e.type === 'added' || (e.type === 'state' && e.state === 'open')) return;
    const lost = this.peer;
    queueMicrotask(() => {
      // A link replaced by a newer one to the same peer is removed and added in one go.
      if (this.closed || this.deps.forwarding.isUsable(lost) || !this.peer || !bytesEqual(this.peer, lost)) return;
      for (const l of [...this.listeners]) l(undefined);
      this.reattach();
    });
  }
}
