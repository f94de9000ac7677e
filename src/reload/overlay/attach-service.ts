/**
 * Attach (RFC 6940 §6.5.1) as the way links are made, and the bootstrap connection of §11.4, over
 * message transport and the injected PeerNetwork. The topology plug-in uses it as its
 * LinkConnector. This file is the originating side; attach-answerer.ts answers the Attaches this
 * peer receives (§6.5.1.2).
 *
 * An AttachReqAns carries this peer's network address as one host IceCandidate (§6.5.1.1) of
 * overlay link type TLS-TCP-FH-NO-ICE (framed messages over a reliable channel without ICE, §6.6.5,
 * which is what our links are). Following the roles of §6.5.1.1 ("passive" for the offerer,
 * "active" for the answerer, RFC 4145), the peer that answers the Attach opens the link to the
 * requester's candidate; the channel's handshake (PeerNetwork.authenticate: the DTLS/TLS
 * certificate) tells each end the other's Node-ID, and the link goes into forwarding's link table.
 *
 * With a network that has ICE links (`PeerNetwork.ice`, WebRTC data channels): the AttachReqAns
 * carries ufrag, password and the candidates gathered within a bounded wait, and the signed
 * Attach carries the DTLS fingerprint and setup role in message extension 0xC001 (ice-attach-
 * fields.ts); the receiver rebuilds the remote SDP from them (links/webrtc). The requester is the
 * ICE offerer. Each side binds the data channel to the Node-ID that signed the Attach carrying
 * the fingerprint the DTLS handshake checked.
 *
 * One link per neighbour: when a second link to the same peer comes up, both ends keep the same one
 * without a word (one-link-per-peer.ts has the rule): the one opened by the smaller Node-ID, unless that is the
 * older link and it no longer carries frames, which both ends find out by probing it.
 *
 * An Attach received from a peer we have an Attach of our own in progress to follows §6.5.1.2
 * (own-attaches.ts). When the peer's Attach is the one that makes the link (it refused ours with
 * Error_In_Progress, or the tie-breaker cancelled ours for it), our attach() waits for that link,
 * also when ours went to a Resource-ID: the error answer names the peer that refused (ErrorAnswer).
 */
import type { Forwarding } from '../forwarding/index.js';
import { nodeIdKey } from '../forwarding/index.js';
import { hostCandidate, parseAddress } from '../links/host-candidate.js';
import type { Link } from '../links/link.js';
import { AbortError, silentLogger, type AbortOptions, type Clock, type Logger, type Random } from '../runtime/components.js';
import { ErrorAnswer, ReloadError } from '../runtime/reload-error.js';
import type { AttachOptions, LinkConnector } from '../topology/topology-plugin.js';
import type { MessageTransport } from '../transport/index.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId } from '../wire/ids.js';
import type { IceCandidate } from '../wire/methods/attach.js';
import { AttachAnswerer } from './attach-answerer.js';
import { attachFromIce, attachWithoutIce, iceFromAttach } from './ice-attach-fields.js';
import type { IceCapability, PeerNetwork } from './overlay-types.js';
import { OneLinkPerPeer } from './one-link-per-peer.js';
import { OwnAttaches, type OwnAttach } from './own-attaches.js';

export interface AttachServiceDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly transport: MessageTransport;
  readonly forwarding: Pick<Forwarding, 'localNodeId' | 'addLink' | 'retireLink' | 'getLink' | 'isUsable' | 'onLinkEvent'>;
  readonly network: PeerNetwork;
  readonly logger?: Logger;
}

export interface AttachServiceInit {
  /** How long the requester waits for the answerer's link once the AttachAns is in (ms); default 10 000. */
  readonly linkTimeoutMs?: number;
}

export class AttachService implements LinkConnector {
  private readonly log: Logger;
  private readonly self: NodeId;
  private readonly linkTimeoutMs: number;
  /** Our host candidate (networks without ICE). */
  private readonly candidate: IceCandidate | undefined;
  /** ICE links being completed, by peer (see attachIce). */
  private readonly completing = new Map<string, Promise<Link>>();
  /** The link table's one link per peer (one-link-per-peer.ts). */
  private readonly links: OneLinkPerPeer;
  /** Our Attach requests in progress, by peer (§6.5.1.2). */
  private readonly own: OwnAttaches;
  /** Aborted by close(): ends the waits for links our Attaches no longer track. */
  private readonly lifetime = new AbortController();
  /** §6.5.1.2: the Attaches this peer receives. */
  private readonly answerer: AttachAnswerer;
  /** Bootstrap addresses connected to before, and the Node-ID found there. */
  private readonly byAddress = new Map<string, NodeId>();
  private readonly unregister: () => void;
  private closed = false;

  constructor(
    private readonly deps: AttachServiceDeps,
    init: AttachServiceInit = {},
  ) {
    this.log = deps.logger ?? silentLogger;
    this.self = deps.forwarding.localNodeId;
    this.linkTimeoutMs = init.linkTimeoutMs ?? 10_000;
    this.own = new OwnAttaches(deps.clock, (peer) => deps.forwarding.isUsable(peer));
    this.links = new OneLinkPerPeer(deps.forwarding, this.log, () => this.closed);
    if (deps.network.ice) this.candidate = undefined;
    else {
      const addrPort = parseAddress(deps.network.address);
      if (!addrPort) throw new RangeError(`network address ${deps.network.address} is not an address:port`);
      this.candidate = hostCandidate(addrPort);
    }
    const { random, forwarding, network } = deps;
    this.answerer = new AttachAnswerer({ self: this.self, random, forwarding, network, links: this.links, own: this.own, candidate: this.candidate, closed: () => this.closed, log: this.log });
    deps.network.onInbound((link) => this.inbound(link));
    this.unregister = deps.transport.handle('attach_req', (req) => this.answerer.handle(req));
  }

  /** §6.4.2.3: asked to send an Update to a requester whose Attach asked for one, once its link is up. */
  onUpdateRequested(listener: (nodeId: NodeId) => void): () => void {
    return this.answerer.onUpdateRequested(listener);
  }

  close(): void {
    this.closed = true;
    this.unregister();
    this.own.abortAll();
    this.lifetime.abort();
  }

  /** §11.4: open a link to a bootstrap node's address; resolves with the Node-ID the channel is bound to. */
  async connect(address: string, options?: AbortOptions): Promise<NodeId> {
    if (address === this.deps.network.address) throw new Error('that is this peer\'s own address');
    const known = this.byAddress.get(address);
    if (known && this.deps.forwarding.isUsable(known)) return known;
    const link = await this.deps.network.linkFactory.open(address, options);
    const id = this.deps.network.authenticate(link);
    if (!id || bytesEqual(id, this.self)) {
      link.close();
      throw new Error(`the link to ${address} is not bound to another peer's Node-ID`);
    }
    this.links.install(id, link, { outbound: true });
    if (!this.deps.forwarding.isUsable(id)) await this.waitForLink(id, options);
    this.byAddress.set(address, id);
    return id;
  }

  /** §6.5.1: Attach along `destinationList`; resolves with the answerer once a link to it is up. */
  async attach(destinationList: readonly Destination[], options: AttachOptions = {}): Promise<NodeId> {
    if (this.closed) throw new AbortError('closed');
    // Already aborted: no 'abort' event will come for the listener below, so nothing would stop
    // the Attach (and the answerer's ICE answer and peer connection). The caller's own reason, as
    // chord-join.ts reports it.
    options.signal?.throwIfAborted();
    const last = destinationList[destinationList.length - 1];
    const target = last?.kind === 'node' ? last.nodeId : undefined;
    if (target && this.deps.forwarding.isUsable(target)) return target;
    const own = this.own.start(target);
    const onAbort = () => own.controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const ice = this.deps.network.ice;
      if (ice) return await this.attachIce(ice, destinationList, options, own);
      const answer = await this.deps.transport.request(
        destinationList,
        { name: 'attach_req', value: attachWithoutIce(this.deps.random, this.candidate, 'passive', options.sendUpdate ?? false) },
        { signal: own.signal, ...(options.ttl !== undefined ? { ttl: options.ttl } : {}) },
      );
      const peer = answer.sender.nodeId;
      if (bytesEqual(peer, this.self)) return peer;
      this.own.answered(own, peer);
      if (!this.deps.forwarding.isUsable(peer)) await this.waitForLink(peer, { signal: own.signal });
      return peer;
    } catch (e) {
      const peer = this.closed ? undefined : (own.supersededBy ?? refusedInProgressBy(e, target));
      if (!peer) throw e;
      // OUR CHOICE: RFC 6940 §6.5.1.2 does not say what becomes of an Attach the tie-breaker
      // cancelled, or one refused with Error_In_Progress (the peer's Attach to us is in progress).
      // Either way the peer's Attach makes the link this one asked for, so we wait for that link as
      // for our own instead of failing (Chord holds off a peer whose Attach failed). When none of
      // the peer's Attaches could be answered and linked here (our own peer-connection budget
      // refused, say), no link comes: ours ends at once with that reason (OwnAttach.crossing).
      if (this.deps.forwarding.isUsable(peer)) return peer;
      // No longer in progress (a new Attach of the peer's is no crossing of ours), but filed under
      // the peer as waiting for its Attaches, also when one comes only after its refusal.
      this.own.awaitCrossing(own, peer);
      const signal = AbortSignal.any([...(options.signal ? [options.signal] : []), this.lifetime.signal, own.crossing.signal]);
      try {
        await this.waitForLink(peer, { signal });
      } catch (w) {
        throw own.crossing.signal.aborted ? own.crossing.signal.reason : w;
      }
      return peer;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.own.end(own);
    }
  }

  /** §6.5.1 over ICE: we are the offerer; the link comes from `ice` once the answer is in. */
  private async attachIce(ice: IceCapability, destinationList: readonly Destination[], options: AttachOptions, own: OwnAttach): Promise<NodeId> {
    const { signal } = own;
    const offer = await ice.offer({ signal });
    let link: Link | undefined;
    try {
      const { value, extensions } = attachFromIce(offer.local, 'passive', options.sendUpdate ?? false);
      const answer = await this.deps.transport.request(destinationList, { name: 'attach_req', value }, { signal, extensions, ...(options.ttl !== undefined ? { ttl: options.ttl } : {}) });
      const peer = answer.sender.nodeId;
      if (bytesEqual(peer, this.self)) return peer;
      const remote = iceFromAttach(answer.value, answer.extensions);
      if (!remote) throw ReloadError.of('Error_Invalid_Message', 'the AttachAns carries no DTLS fingerprint');
      this.own.answered(own, peer);
      // One data channel at a time per peer: Chord's finger Attaches often all reach the same
      // peer at once, and each link beyond the first would only replace another (closing it).
      // The answerer's side of an offer not completed here times out without a link.
      const key = nodeIdKey(peer);
      const inFlight = this.completing.get(key);
      if (inFlight) await inFlight.catch(() => undefined);
      if (this.deps.forwarding.isUsable(peer)) return peer;
      // Bound to the Node-ID that signed the AttachAns carrying the fingerprint DTLS checks.
      const completing = offer.complete(peer, remote, { signal });
      this.completing.set(key, completing);
      let made: Link;
      try {
        made = await completing;
      } finally {
        if (this.completing.get(key) === completing) this.completing.delete(key);
      }
      link = made;
      this.links.install(peer, made, { outbound: true, iceKey: toHex(offer.local.ufrag) + toHex(offer.local.password) });
      if (!this.deps.forwarding.isUsable(peer)) await this.waitForLink(peer, { signal });
      return peer;
    } finally {
      if (!link) offer.cancel();
    }
  }

  private inbound(link: Link): void {
    const id = this.closed ? undefined : this.deps.network.authenticate(link);
    if (!id || bytesEqual(id, this.self)) {
      link.close();
      return;
    }
    this.links.install(id, link);
  }

  /** Resolves once a usable link to `id` is in the link table. */
  private waitForLink(id: NodeId, options?: AbortOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        timer.cancel();
        unsubscribe();
        options?.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish(new AbortError());
      if (options?.signal?.aborted) {
        reject(new AbortError());
        return;
      }
      const unsubscribe = this.deps.forwarding.onLinkEvent((e) => {
        if ((e.type === 'added' || e.type === 'state') && bytesEqual(e.nodeId, id) && this.deps.forwarding.isUsable(id)) finish();
      });
      const timer = this.deps.clock.setTimer(this.linkTimeoutMs, () => finish(new Error(`no link from ${nodeIdKey(id)} within ${this.linkTimeoutMs} ms`)));
      options?.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.deps.forwarding.isUsable(id)) finish();
    });
  }
}

/**
 * The peer that answered our Attach with Error_In_Progress (RFC 6940 §6.5.1.2: it has an Attach to
 * us in progress, which makes the link): the Node-ID the Attach went to, or, for one to a
 * Resource-ID (finger search, the join), the verified signer of the error answer. OUR CHOICE: that
 * signer is taken at its word (it cannot be checked before its Attach arrives). A peer on the path
 * that lies so makes our Attach wait linkTimeoutMs for a link that never comes; it could make the
 * Attach fail as surely by dropping it, which costs the whole transaction lifetime (§6.2.1).
 */
function refusedInProgressBy(e: unknown, target: NodeId | undefined): NodeId | undefined {
  if (!(e instanceof ReloadError) || e.codeName !== 'Error_In_Progress') return undefined;
  return target ?? (e instanceof ErrorAnswer ? e.sender : undefined);
}
