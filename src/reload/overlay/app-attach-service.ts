/**
 * AppAttach (RFC 6940 §6.5.2) over message transport, and the application channels it makes,
 * with channel reuse: one channel per (remote Node-ID, application), whichever end opened it, kept
 * for later requests (RFC 7904 §5.1 "A previously established SIP connection MAY be used for a
 * new call"). Composed beside an OverlayPeer (it needs only the peer's transport, the network's
 * AppChannelNetwork and a clock), not inside it:
 *
 * ```ts
 * const apps = new AppAttachService({ transport: peer.transport, network: net.appChannels, clock }, { applications: [ApplicationId.SIP] });
 * apps.onChannel(ApplicationId.SIP, (ch) => ch.onMessage(...));     // every new channel, in or out
 * const ch = await apps.channel(bobNodeId, ApplicationId.SIP);      // AppAttach, or the one we have
 * ```
 */
import { nodeIdKey } from '../forwarding/index.js';
import { AbortError, silentLogger, type AbortOptions, type Clock, type Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { SharedAttempt } from '../runtime/shared-attempt.js';
import { replyHolding, type IncomingRequest, type MessageTransport, type Reply } from '../transport/index.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId } from '../wire/ids.js';
import type { AppChannel, AppChannelNetwork } from '../links/app-channel.js';

export interface AppAttachServiceDeps {
  readonly transport: Pick<MessageTransport, 'localNodeId' | 'request' | 'handle'>;
  readonly network: AppChannelNetwork;
  /** Times how long an answered AppAttach waits for its unbidden channel (AppAttachAnswer.expectMs). */
  readonly clock: Pick<Clock, 'setTimer'>;
  readonly logger?: Logger;
}

export interface AppAttachServiceInit {
  /** Application-IDs (§14.5) this peer accepts AppAttaches for; others get Error_Not_Found (§6.5.2.2). */
  readonly applications: readonly number[];
}

export interface AppAttachStats {
  /** AppAttach requests this peer sent. */
  readonly appAttachesSent: number;
  /**
   * AppAttach requests this peer answered: goes up when the handler has built its AppAttachAns
   * reply (the network's answer in hand), and down again if the transport then calls that reply's
   * `unsent` (Reply.unsent: not sent, as too large for max_response_length, RFC 6940 §6.3.2,
   * unencodable, or after the request lifetime, §6.2.1). The transport tells of no loss on the
   * way. Error answers are not counted.
   */
  readonly appAttachesAnswered: number;
  /** Channels made (in and out) so far. */
  readonly channelsOpened: number;
  /** `channel()` calls served by a channel that existed (or was being made) already. */
  readonly reused: number;
}

const utf8 = new TextEncoder();

export class AppAttachService {
  private readonly log: Logger;
  private readonly accepted: ReadonlySet<number>;
  private readonly open = new Map<string, AppChannel>();
  private readonly pending = new Map<string, SharedAttempt<AppChannel>>();
  private readonly listeners = new Map<number, Set<(channel: AppChannel) => void>>();
  /** The user name of each peer's certificate, from the signed AppAttach exchange (§6.3.4). */
  private readonly users = new Map<string, string>();
  /** By key: an AppAttach we answered whose channel is to come unbidden; the value drops the wait. */
  private readonly expected = new Map<string, () => void>();
  private readonly unregister: () => void;
  private closed = false;
  private counters = { appAttachesSent: 0, appAttachesAnswered: 0, channelsOpened: 0, reused: 0 };

  constructor(
    private readonly deps: AppAttachServiceDeps,
    init: AppAttachServiceInit,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.accepted = new Set(init.applications);
    deps.network.onInbound((ch, unbidden) => {
      // RFC 7904 §5.1: "the Peer MUST establish a SIP connection ... using the AppAttach method",
      // whose signed request tells us the certificate behind the channel (verifiedUser): a channel
      // that came unbidden (any peer could open it) is taken only for an AppAttach from its
      // Node-ID that we answered, one per AppAttach, and closed unread otherwise.
      if (unbidden && !this.takeExpected(ch.remoteNodeId, ch.application)) ch.close();
      else this.adopt(ch);
    });
    this.unregister = deps.transport.handle('app_attach_req', (req) => this.handleAppAttach(req));
  }

  /** Be told of every new channel of `application` (inbound, or opened by `channel()`). */
  onChannel(application: number, listener: (channel: AppChannel) => void): () => void {
    let set = this.listeners.get(application);
    if (!set) this.listeners.set(application, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The open channel to `nodeId` for `application`, if any. */
  existing(nodeId: NodeId, application: number): AppChannel | undefined {
    const ch = this.open.get(key(nodeId, application));
    return ch?.state === 'open' ? ch : undefined;
  }

  /**
   * A channel to the peer at the end of `target` (a Node-ID, or a destination list whose terminal
   * entry is a Node-ID) for `application`: the open one if there is one, the one being made if an
   * AppAttach is under way, else a new AppAttach routed along `target` (§6.5.2).
   */
  channel(target: NodeId | readonly Destination[], application: number, options: AbortOptions = {}): Promise<AppChannel> {
    if (this.closed) return Promise.reject(new AbortError('the AppAttach service is closed'));
    const list: readonly Destination[] = target instanceof Uint8Array ? [{ kind: 'node', nodeId: target }] : target;
    const last = list[list.length - 1];
    if (last?.kind !== 'node') return Promise.reject(new RangeError('an AppAttach target must end in a Node-ID'));
    const nodeId = last.nodeId;
    const k = key(nodeId, application);
    const have = this.existing(nodeId, application);
    if (have) {
      this.counters.reused++;
      return Promise.resolve(have);
    }
    const inFlight = this.pending.get(k);
    if (inFlight) {
      this.counters.reused++;
      return inFlight.join(options.signal);
    }
    // One AppAttach for all callers, each with its own signal (SharedAttempt: aborted only when all gave up).
    const forget = () => {
      if (this.pending.get(k) === attempt) this.pending.delete(k);
    };
    const attempt = new SharedAttempt((signal) => this.appAttach(list, nodeId, application, { signal }).finally(forget), forget);
    this.pending.set(k, attempt);
    return attempt.join(options.signal);
  }

  /**
   * The user name (§11.3) in the certificate of `nodeId`, as verified on the AppAttach request or
   * answer that set up a channel with it; undefined when no AppAttach with it was seen.
   */
  verifiedUser(nodeId: NodeId): string | undefined {
    return this.users.get(nodeIdKey(nodeId));
  }

  stats(): AppAttachStats {
    return { ...this.counters };
  }

  /** Every open channel. */
  channels(): AppChannel[] {
    return [...this.open.values()].filter((c) => c.state === 'open');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister();
    for (const drop of [...this.expected.values()]) drop();
    for (const ch of [...this.open.values()]) ch.close();
    this.open.clear();
  }

  private async appAttach(list: readonly Destination[], nodeId: NodeId, application: number, options: AbortOptions): Promise<AppChannel> {
    if (bytesEqual(nodeId, this.deps.transport.localNodeId)) throw new RangeError('an AppAttach to this peer itself');
    const { extensions, ...ice } = await this.deps.network.offer(nodeId, application);
    this.counters.appAttachesSent++;
    // §6.5.1.1 roles, as Attach: the requester offers "passive", the answerer answers "active".
    const answer = await this.deps.transport.request(
      list,
      { name: 'app_attach_req', value: { ufrag: ice.ufrag, password: ice.password, candidates: ice.candidates, application, role: utf8.encode('passive') } },
      { ...options, ...(extensions?.length ? { extensions } : {}) },
    );
    // RFC 7904 §5.1: "the responding Peer MUST present a certificate with a Node-ID matching the
    // terminal entry in the destination list. Otherwise, the connection MUST NOT be used".
    if (!bytesEqual(answer.sender.nodeId, nodeId)) throw ReloadError.of('Error_Forbidden', `the AppAttach was answered by ${nodeIdKey(answer.sender.nodeId)}, not ${nodeIdKey(nodeId)}`);
    this.users.set(nodeIdKey(nodeId), answer.sender.userName);
    if (answer.value.application !== application) throw ReloadError.of('Error_Invalid_Message', `the AppAttachAns is for application ${answer.value.application}, not ${application}`);
    // A channel from the other side may have come up meanwhile (both called at once): use it.
    const raced = this.existing(nodeId, application);
    if (raced) return raced;
    const ch = await this.deps.network.open(nodeId, application, { ...answer.value, extensions: answer.extensions }, options);
    if (!bytesEqual(ch.remoteNodeId, nodeId) || ch.application !== application) {
      ch.close();
      throw ReloadError.of('Error_Forbidden', 'the application channel is not bound to the Node-ID that answered the AppAttach');
    }
    return this.adopt(ch);
  }

  /** §6.5.2.2 processing of a received AppAttach. */
  private async handleAppAttach(req: IncomingRequest<'app_attach_req'>): Promise<Reply<'app_attach_ans'>> {
    const { application } = req.value;
    // §6.5.2.2: "If the Application ID is not supported, the peer MUST reply with an Error_Not_Found error."
    if (!this.accepted.has(application) || this.closed) throw ReloadError.of('Error_Not_Found', `application ${application} is not served here`);
    const requester = req.sender.nodeId;
    const answer = await this.deps.network.answer(requester, application, { ...req.value, extensions: req.extensions });
    const unexpect = answer.expectMs === undefined ? undefined : this.expect(requester, application, answer.expectMs);
    this.users.set(nodeIdKey(requester), req.sender.userName);
    // The answer holds what the requester's channel needs (over ICE a peer connection and its
    // PeerConnectionBudget slot) until that channel opens or its own timeout, and only the
    // requester, once it has this AppAttachAns, can open it: when the AppAttachAns cannot be
    // built, or the transport does not send it (Reply.unsent: too large for max_response_length,
    // RFC 6940 §6.3.2, or the request lifetime over, §6.2.1), it is cancelled at once.
    // appAttachesAnswered counts the AppAttachAns built, and un-counts one the transport then did
    // not send (the transport tells of no loss on the way).
    let counted = false;
    const reply = replyHolding<'app_attach_ans'>(
      this.log,
      (reason) => {
        if (counted) this.counters.appAttachesAnswered--;
        counted = false;
        answer.cancel();
        unexpect?.();
        this.log.debug('the AppAttachAns did not go; its answer is cancelled', { peer: nodeIdKey(requester), application, error: String(reason) });
      },
      () => {
        const { ufrag, password, candidates, extensions } = answer.local;
        return { value: { ufrag, password, candidates, application, role: utf8.encode('active') }, ...(extensions?.length ? { extensions } : {}) };
      },
    );
    this.counters.appAttachesAnswered++;
    counted = true;
    return reply;
  }

  /**
   * Wait `ms` (Infinity: until dropped) for the unbidden channel of an AppAttach from `nodeId`
   * that we answered; a newer AppAttach from it replaces the wait. Returns what drops the wait.
   */
  private expect(nodeId: NodeId, application: number, ms: number): () => void {
    const k = key(nodeId, application);
    this.expected.get(k)?.();
    const timer = Number.isFinite(ms) ? this.deps.clock.setTimer(ms, () => drop()) : undefined;
    const drop = () => {
      timer?.cancel();
      if (this.expected.get(k) === drop) this.expected.delete(k);
    };
    this.expected.set(k, drop);
    return drop;
  }

  /** Take the wait for an unbidden channel from `nodeId` for `application`: false when none is waiting. */
  private takeExpected(nodeId: NodeId, application: number): boolean {
    const drop = this.expected.get(key(nodeId, application));
    drop?.();
    return drop !== undefined;
  }

  /** A new channel (ours or inbound): keep it as the channel for its peer and application. */
  private adopt(ch: AppChannel): AppChannel {
    if (this.closed || !this.accepted.has(ch.application)) {
      ch.close();
      return ch;
    }
    const k = key(ch.remoteNodeId, ch.application);
    this.counters.channelsOpened++;
    // Keep the first open one as "the" channel; a second (both sides attached at once) still
    // delivers its messages to the listeners, so nothing sent on it is lost.
    if (!this.existing(ch.remoteNodeId, ch.application)) this.open.set(k, ch);
    ch.onClose(() => {
      if (this.open.get(k) === ch) this.open.delete(k);
    });
    for (const l of [...(this.listeners.get(ch.application) ?? [])]) l(ch);
    this.log.debug('application channel up', { peer: nodeIdKey(ch.remoteNodeId), application: ch.application, id: ch.id });
    return ch;
  }
}

function key(nodeId: NodeId, application: number): string {
  return `${nodeIdKey(nodeId)}/${application}`;
}
