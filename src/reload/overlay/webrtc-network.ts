/**
 * The real PeerNetwork (ARCHITECTURE.md "Links", "Bootstrap", "Attach over WebRTC"), the same in
 * the browser and in Node (the WebSocket constructor and the WebRTC implementation are injected;
 * node/ has the Node factories):
 *
 * - Bootstrap (RFC 6940 §11.4): `linkFactory.open('wss://host/reload')` dials a WebSocket link;
 *   a peer serving a WebSocket endpoint hands each accepted link to `acceptLink`. Both ends bind
 *   the link to a Node-ID with the signed hello of link-hello.ts (the acceptor's challenge, the
 *   dialer's Ping bound to it, the PingAns) before anything else moves.
 * - Attach (§6.5.1): `ice.offer()` / `ice.answer()` make WebRTC data-channel links
 *   (links/webrtc); the Attach service binds each to the Node-ID that signed the Attach carrying
 *   its DTLS fingerprint, which DTLS checks against the certificate the channel presents.
 * - Extra channels on a neighbour's peer connection (AppAttach's SIP channel, §6.5.2):
 *   `connectionTo(nodeId)?.openChannel('sip')` on one end, `.onChannel(...)` on the other.
 *
 * Every peer connection takes a slot of a PeerConnectionBudget before it is made, and gives it back
 * in one place (holdUntilClosed) when it closes, whatever closes it, or when none was made: an Attach or AppAttach over the caps is answered with an error
 * (RFC 6940 §6.5.1.2 "If the peer is overloaded ... it MAY generate an error"), as is one the
 * WebRTC stack refuses a peer connection for. An offer of our own refused either way rejects with
 * the same OverloadError: our refusal, which the Attach's caller does not count against its target.
 * One for which the stack gives none of our ICE parameters (it makes no local description, or closes
 * the peer connection while they are gathered) fails the same way as regards the peer, as a
 * LocalGatheringError that says which (localFailure).
 *
 * STUN/TURN servers: `webrtc.rtcConfiguration.iceServers` (the overlay configuration has no
 * STUN/TURN list yet; the caller passes `--stun`/`--turn` or a configuration extension here).
 */
import type { OverlayParameters } from '../forwarding/index.js';
import type { Link } from '../links/link.js';
import { LinkOpenError } from '../links/link.js';
import { GatheringError, IceParametersError, answerWebRtc, offerWebRtc, type IceParameters, type WebRtcConnection, type WebRtcAnswer, type WebRtcInit, type WebRtcOffer } from '../links/webrtc/index.js';
import { openWebSocketLink, type WebSocketConstructor, type WebSocketLinkInit } from '../links/websocket/index.js';
import { silentLogger, type AbortOptions, type Clock, type Logger, type Random } from '../runtime/components.js';
import { LocalGatheringError, ReloadError, localFailureAnswer, overloaded, type LocalFailure } from '../runtime/reload-error.js';
import { checkDtlsFingerprint, type RemoteDtlsIdentity } from '../security/dtls-fingerprint-check.js';
import type { Signer, Verifier } from '../security/signer.js';
import type { DtlsFingerprint } from '../wire/methods/dtls-fingerprint.js';
import { toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import { HelloVersionError, helloAccept, helloDial, type LinkHelloDeps } from './link-hello.js';
import { DataChannelConnections } from './data-channel-connections.js';
import type { IceAttachParameters, IceCapability, PeerNetwork } from './overlay-types.js';
import { PeerConnectionBudget, type PeerConnectionLimits, type PeerConnectionSlot } from './peer-connection-budget.js';

export interface WebRtcNetworkDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** The peer's own signer and verifier (the same the OverlayPeer gets): for the WebSocket hello. */
  readonly signer: Signer;
  readonly verifier: Verifier;
  /** Dials bootstrap URLs: the browser's `WebSocket`, or `nodeWebSocket` (links/websocket/node). */
  readonly WebSocket: WebSocketConstructor;
  readonly logger?: Logger;
  /** Milliseconds since 1970 (PingAns.time); default the Clock's now(). */
  readonly epochClock?: () => number;
  /**
   * WebCrypto, to check each data channel's remote DTLS certificate against the fingerprint of the
   * signed Attach once more after the handshake (security/dtls-fingerprint-check.ts). Without it
   * the DTLS stack's own check (against the remote SDP rebuilt from that Attach) is the binding.
   */
  readonly crypto?: Crypto;
}

export interface WebRtcNetworkInit {
  /**
   * The overlay's parameters (overlayParametersOf(configuration, overlayHash)), for the hello
   * messages; a promise will do (the overlay hash is computed asynchronously).
   */
  readonly overlayParameters: OverlayParameters | Promise<OverlayParameters>;
  /** WebRTC settings: `wrtc` (Node), `rtcConfiguration` (iceServers = STUN/TURN; Node: bindAddress), timeouts. */
  readonly webrtc?: WebRtcInit;
  /** Our WebSocket URL when we serve one (the seed), else left out (`webrtc:<Node-ID>`). */
  readonly address?: string;
  /** WebSocket link settings (MTU, liveness, open timeout). */
  readonly webSocket?: WebSocketLinkInit;
  /** How long the other end of a WebSocket link has to prove its Node-ID (ms); default 5 000. */
  readonly helloTimeoutMs?: number;
  /**
   * Offers gathered ahead of the Attaches that use them (e.g. while the peer enrolls, so a join
   * does not wait for ICE gathering): `ice.offer()` takes the next one, or makes one when this
   * gives none. Each is used once, for one Attach (RFC 6940 §6.5.1). The peer connections they
   * hold count in the budget (`peerConnectionLimits`).
   */
  readonly preparedOffers?: PreparedOffers;
  /** Caps on the peer connections this network makes (peer-connection-budget.ts); default DEFAULT_PEER_CONNECTION_LIMITS. */
  readonly peerConnectionLimits?: PeerConnectionLimits;
}

/** Offers gathered ahead (app/overlay/offer-pool.ts), each holding a peer connection. */
export interface PreparedOffers {
  /** The next prepared offer (perhaps still gathering; it rejects if its gathering failed), or undefined when none is left. */
  readonly take: () => Promise<WebRtcOffer> | undefined;
  /** How many are held, not yet taken: each still gathering or holding its peer connection (one whose gathering failed or that closed is no longer counted). */
  readonly left: () => number;
}

export interface WebRtcPeerNetwork extends PeerNetwork {
  readonly ice: IceCapability;
  /** A WebSocket link our server accepted (attachWebSocketBootstrap's `onLink`): bound by the hello, then given to the peer. */
  acceptLink(link: Link): void;
  /** The WebRTC connection of our data-channel link to `nodeId`, if any (for extra channels). */
  connectionTo(nodeId: NodeId): WebRtcConnection | undefined;
  /**
   * Channels (other than `reload`) the other end opens on any of our data-channel connections,
   * with the Node-ID that connection is bound to. One listener; channels that come while there
   * is none are closed. (With `connectionTo`, this is the ExistingConnections of
   * ice-app-channels.ts.)
   */
  onChannel(listener: (nodeId: NodeId, channel: RTCDataChannel) => void): void;
  /** Every open link this network made or accepted. */
  readonly links: ReadonlySet<Link>;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

function toLinkParameters(p: IceAttachParameters): IceParameters {
  return { ufrag: text.decode(p.ufrag), password: text.decode(p.password), candidates: p.candidates, dtls: p.dtls };
}

/** What the DTLS handshake showed of the remote side: its certificate where the stack gives it (browsers), else the remote SDP's fingerprint. */
function remoteDtlsIdentity(pc: RTCPeerConnection): RemoteDtlsIdentity | undefined {
  try {
    const certificates = pc.sctp?.transport.getRemoteCertificates() ?? [];
    const first = certificates[0];
    // node-datachannel's polyfill answers one empty buffer.
    if (first && first.byteLength > 0) return { certificate: new Uint8Array(first) };
  } catch {
    // Not implemented by this WebRTC stack.
  }
  const line = /a=fingerprint:([^\r\n]+)/.exec(pc.remoteDescription?.sdp ?? '');
  return line?.[1] ? { sdpFingerprint: line[1] } : undefined;
}

function toAttachParameters(p: IceParameters): IceAttachParameters {
  return { ufrag: utf8.encode(p.ufrag), password: utf8.encode(p.password), candidates: p.candidates, dtls: p.dtls };
}

export function createWebRtcNetwork(deps: WebRtcNetworkDeps, init: WebRtcNetworkInit): WebRtcPeerNetwork {
  const log = deps.logger ?? silentLogger;
  const webrtc: WebRtcInit = init.webrtc ?? {};
  const linkDeps = { clock: deps.clock, logger: log };
  const hello: LinkHelloDeps = { clock: deps.clock, random: deps.random, signer: deps.signer, verifier: deps.verifier, epochClock: deps.epochClock ?? (() => deps.clock.now()) };
  const helloOptions = { timeoutMs: init.helloTimeoutMs };
  const bindings = new WeakMap<Link, NodeId>();
  const links = new Set<Link>();
  const connections = new DataChannelConnections<WebRtcConnection>();
  const prepared = init.preparedOffers;
  const budget = new PeerConnectionBudget(init.peerConnectionLimits, prepared?.left);
  let inbound: ((link: Link) => void) | undefined;
  let channelListener: ((nodeId: NodeId, channel: RTCDataChannel) => void) | undefined;
  let closed = false;

  const track = (link: Link) => {
    if (closed) {
      link.close();
      return;
    }
    // Closed before it was bound (e.g. by the other end): its close is not heard again, and it is no open link.
    if (link.state === 'closed') return;
    links.add(link);
    link.onStateChange((s) => {
      if (s === 'closed') links.delete(link);
    });
  };

  /**
   * The one place a budget `slot` is given back: once the peer connection `made` holds is closed
   * (cancelled, failed, its link closed, or closed by the other side), or when `made` rejects (no
   * peer connection, or it was closed as it failed). Registered before anyone awaits `made`, so the
   * slot is free by the time they hear of a failure.
   */
  const holdUntilClosed = <T extends WebRtcOffer | WebRtcAnswer>(slot: PeerConnectionSlot, made: Promise<T>): Promise<T> => {
    made.then(
      (m) => m.onClose(() => slot.release()),
      () => slot.release(),
    );
    return made;
  };

  /**
   * Bind a connection to the Node-ID that signed the Attach whose fingerprint `expected` is. The
   * second check of the certificate runs beside (the link is usable at once, so nothing the other
   * end sends first is lost) and closes the connection on a mismatch. Its budget `slot` stops
   * counting as pending.
   */
  const bindConnection = (nodeId: NodeId, expected: DtlsFingerprint, connection: WebRtcConnection, slot: PeerConnectionSlot): Link => {
    const link = connection.link;
    slot.connected();
    const identity = remoteDtlsIdentity(connection.peerConnection);
    if (deps.crypto && identity) {
      void checkDtlsFingerprint(deps.crypto, { nodeId, fingerprint: expected }, identity).then((verdict) => {
        if (verdict.ok) return;
        log.warn('data channel certificate does not match the signed Attach; closing it', { link: link.id, error: verdict.error.message });
        connection.close();
      });
    }
    bindings.set(link, nodeId);
    track(link);
    connections.add(nodeId, connection);
    connection.onChannel((channel) => {
      if (channelListener && !closed) channelListener(nodeId, channel);
      else channel.close();
    });
    return link;
  };

  /**
   * What offerWebRtc/answerWebRtc's failure to make our side is, as a LocalFailure (ours, not the
   * peer's): the WebRTC stack made no peer connection (past its limit: overloaded), or gave none of
   * our ICE parameters (no local description, or it closed the peer connection while they were
   * gathered: the message says which). Undefined for any other failure.
   */
  const localFailure = (e: unknown): LocalFailure | undefined => {
    if (e instanceof GatheringError) return localFailureAnswer(LocalGatheringError, e.message);
    return e instanceof LinkOpenError ? overloaded(e.message) : undefined;
  };

  /** Received ICE parameters that make no SDP or no link: the Attach (or AttachAns) is invalid. */
  const invalidParameters = (e: unknown): unknown => (e instanceof IceParametersError ? ReloadError.of('Error_Invalid_Message', e.message) : e);

  const ice: IceCapability = {
    async offer(options?: AbortOptions) {
      // A prepared offer leaves the pool's count for a slot of its own; refused, it is released.
      const ready = prepared?.take();
      let slot: PeerConnectionSlot;
      try {
        slot = budget.take();
      } catch (e) {
        void ready?.then((o) => o.cancel(), () => undefined);
        throw e;
      }
      let offer: WebRtcOffer;
      try {
        // A prepared offer whose gathering failed is made again, now that the slot is ours.
        offer = await holdUntilClosed(slot, ready ? ready.catch(() => offerWebRtc(linkDeps, webrtc, options)) : offerWebRtc(linkDeps, webrtc, options));
      } catch (e) {
        throw localFailure(e) ?? e;
      }
      return {
        local: toAttachParameters(offer.local),
        async complete(answerer, remote, completeOptions) {
          const connection = await offer.complete(toLinkParameters(remote), completeOptions).catch((e: unknown) => {
            throw invalidParameters(e);
          });
          return bindConnection(answerer, remote.dtls, connection, slot);
        },
        cancel: () => offer.cancel(),
      };
    },
    async answer(requester, remote, options?: AbortOptions) {
      // Before the slot is taken: from budget.take on, nothing may throw before holdUntilClosed holds it.
      const parameters = toLinkParameters(remote);
      const slot = budget.take(requester);
      let answer: WebRtcAnswer;
      try {
        answer = await holdUntilClosed(slot, answerWebRtc(linkDeps, webrtc, parameters, options));
      } catch (e) {
        throw localFailure(e) ?? invalidParameters(e);
      }
      return {
        local: toAttachParameters(answer.local),
        link: answer.connection.then((c) => bindConnection(requester, remote.dtls, c, slot)),
        cancel: () => answer.cancel(),
      };
    },
  };

  return {
    address: init.address ?? `webrtc:${toHex(deps.signer.nodeId)}`,
    ice,
    links,
    linkFactory: {
      async open(address: string, options?: AbortOptions): Promise<Link> {
        if (!/^wss?:\/\//i.test(address)) throw new LinkOpenError(`${address} is not a ws:// or wss:// URL`);
        const link = await openWebSocketLink({ ...linkDeps, WebSocket: deps.WebSocket }, address, init.webSocket, options);
        try {
          bindings.set(link, await helloDial(hello, init.overlayParameters, link, { ...options, ...helloOptions }));
        } catch (e) {
          link.close();
          // The other version's hello: said once here, whatever the caller does with the error (e.g. retry).
          // Info, not warn: a dialer retries, and a server shutting down or slow says nothing either (link-hello.ts).
          if (e instanceof HelloVersionError) log.info(e.message, { url: address });
          throw new LinkOpenError(`${address}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
        track(link);
        return link;
      },
    },
    onInbound(listener) {
      inbound = listener;
    },
    acceptLink(link: Link) {
      if (closed) {
        link.close();
        return;
      }
      helloAccept(hello, init.overlayParameters, link, helloOptions).then(
        (nodeId) => {
          bindings.set(link, nodeId);
          track(link);
          if (inbound && link.state !== 'closed') inbound(link);
          else link.close();
        },
        (e: unknown) => {
          if (e instanceof HelloVersionError) log.warn(e.message, { link: link.id });
          else log.debug('websocket link proved no Node-ID; closing it', { link: link.id, error: String(e) });
          link.close();
        },
      );
    },
    authenticate: (link) => bindings.get(link),
    connectionTo: (nodeId) => connections.newest(nodeId),
    onChannel(listener) {
      channelListener = listener;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const l of [...links]) l.close();
    },
  };
}
