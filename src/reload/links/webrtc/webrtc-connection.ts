/**
 * The WebRTC data-channel overlay link (ARCHITECTURE.md "Links", "Attach over WebRTC") on
 * simple-peer: the browser's own RTCPeerConnection, or in Node node-datachannel's polyfill
 * (node/node-webrtc.ts). ICE uses trickle (the facts note: without it the polyfill waits out
 * simple-peer's 5 s gathering timeout), but nothing is trickled to the other side: what was
 * gathered within a bounded wait (local-gathering.ts) goes into one Attach (RFC 6940 §6.5.1), as
 * IceParameters.
 *
 * ```
 *   offerer (Attach requester)                 answerer (Attach receiver)
 *   offer = await offerWebRtc(deps, init)
 *   AttachReq{offer.local}  ─────────────────▶  a = await answerWebRtc(deps, init, remote)
 *                           ◀─────────────────  AttachAns{a.local}
 *   conn = await offer.complete(remote)         conn = await a.connection
 *               ICE + DTLS (fingerprints checked against the signed Attach) + SCTP
 * ```
 *
 * One peer connection carries the overlay link (channel `reload`, FramedLink framing) and any
 * number of further named channels (`openChannel('sip')` on one end, `onChannel` on the other:
 * RFC 8832 in-band DCEP, no new offer/answer), e.g. the AppAttach'd SIP channel (§6.5.2).
 */
import SimplePeer from 'simple-peer';
import { AbortError, silentLogger, type AbortOptions, type Clock, type Logger } from '../../runtime/components.js';
import { FramedLink } from '../framed-link.js';
import { formatAddress } from '../host-candidate.js';
import { LinkOpenError } from '../link.js';
import { REAL_LINK_DEFAULTS, type RealLinkSettings } from '../real-link-defaults.js';
import { dataChannelMessageSize } from './data-channel-message-size.js';
import { SimplePeerPipe } from './data-channel-pipe.js';
import { candidateLines, remoteSdp, type IceParameters } from './ice-parameters.js';
import { LocalGathering, type GatherSettings } from './local-gathering.js';

export { DATA_CHANNEL_MESSAGE_SIZE, MIN_DATA_CHANNEL_MESSAGE_SIZE, dataChannelMessageSize } from './data-channel-message-size.js';

/** The label of the overlay link's own channel. */
export const RELOAD_CHANNEL_LABEL = 'reload';
/**
 * How long an answerer waits before it adds the offerer's candidates (see Session.signalRemote):
 * longer than an AttachAns usually takes to cross a busy overlay back to the offerer.
 */
export const DEFAULT_REMOTE_CANDIDATE_DELAY_MS = 2_000;
/** Longest wait for the channel to open once both sides have the other's parameters (ms): WebRtcInit.connectTimeoutMs's default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The WebRTC implementation simple-peer uses (`wrtc` option): none in a browser. */
export type WrtcImplementation = NonNullable<SimplePeer.Options['wrtc']>;

export interface WebRtcDeps {
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** With the gathering's bounded wait (GatherSettings: gatherTimeoutMs, gatherQuietMs). */
export interface WebRtcInit extends GatherSettings {
  /** RTCPeerConnection configuration: `iceServers` (STUN/TURN from the overlay configuration), plus implementation options (node-datachannel: `bindAddress`). */
  readonly rtcConfiguration?: RTCConfiguration;
  /** Node: node-datachannel's polyfill (node/node-webrtc.ts). Browser: leave out. */
  readonly wrtc?: WrtcImplementation;
  /** Answerer: wait this long before adding the offerer's candidates (ms); default DEFAULT_REMOTE_CANDIDATE_DELAY_MS. */
  readonly remoteCandidateDelayMs?: number;
  /** Longest wait for the channel to open once both sides have the other's parameters (ms); default DEFAULT_CONNECT_TIMEOUT_MS. */
  readonly connectTimeoutMs?: number;
  /** FramedLink liveness settings; default REAL_LINK_DEFAULTS. */
  readonly link?: RealLinkSettings;
}

/** One peer connection: the overlay link on its `reload` channel, and extra named channels. */
export interface WebRtcConnection {
  /** The overlay link (FramedLink on the `reload` channel). Closing it closes the peer connection. */
  readonly link: DataChannelLink;
  /** The underlying RTCPeerConnection (browser's or the polyfill's). */
  readonly peerConnection: RTCPeerConnection;
  /** Open another channel on this connection; resolves once it is open. */
  openChannel(label: string, options?: AbortOptions): Promise<RTCDataChannel>;
  /** Channels the other side opened (other than `reload`); ones that came before a listener are queued for the first. */
  onChannel(listener: (channel: RTCDataChannel) => void): () => void;
  close(): void;
}

/** The overlay link of a WebRTC connection (a FramedLink that knows its connection). */
export class DataChannelLink extends FramedLink {
  connection!: WebRtcConnection;
}

/** The offerer's side between the Attach request and its answer. */
export interface WebRtcOffer {
  /** What our AttachReq carries. */
  readonly local: IceParameters;
  /** Apply the answerer's parameters (from the AttachAns) and resolve once the channel is open. */
  complete(remote: IceParameters, options?: AbortOptions): Promise<WebRtcConnection>;
  /** Give up (no answer came): releases the peer connection. */
  cancel(): void;
  /** `listener` is called once its peer connection is closed (cancelled, failed, or its link closed); at once if it is already. */
  onClose(listener: () => void): void;
}

/** The answerer's side. */
export interface WebRtcAnswer {
  /** What our AttachAns carries. */
  readonly local: IceParameters;
  /** Resolves once the offerer's channel opens. */
  readonly connection: Promise<WebRtcConnection>;
  cancel(): void;
  /** `listener` is called once its peer connection is closed (cancelled, failed, or its link closed); at once if it is already. */
  onClose(listener: () => void): void;
}

let counter = 0;

class Session implements WebRtcConnection {
  readonly peer: SimplePeer.Instance;
  readonly peerConnection: RTCPeerConnection;
  link!: DataChannelLink;
  private readonly log: Logger;
  private readonly channelListeners = new Set<(channel: RTCDataChannel) => void>();
  private readonly queued: RTCDataChannel[] = [];
  /** Our side's ICE parameters as simple-peer trickles them. */
  readonly gathering: LocalGathering;
  private ended = false;
  private readonly closeListeners: (() => void)[] = [];
  readonly id = ++counter;

  constructor(
    private readonly deps: WebRtcDeps,
    private readonly init: WebRtcInit,
    private readonly initiator: boolean,
  ) {
    this.log = deps.logger ?? silentLogger;
    this.gathering = new LocalGathering(deps.clock, this.log, this.id, init);
    this.peer = new SimplePeer({
      initiator,
      trickle: true,
      channelName: RELOAD_CHANNEL_LABEL,
      // Always our own configuration: simple-peer's default adds public STUN servers.
      config: { iceServers: [], ...init.rtcConfiguration },
      ...(init.wrtc ? { wrtc: init.wrtc } : {}),
    });
    // simple-peer catches an RTCPeerConnection constructor that throws (a browser tab past its
    // limit of peer connections, e.g. Chromium's 500) and destroys itself with that error on a
    // later microtask: listen for 'error' first, or it is thrown out of the event loop.
    this.peer.on('error', (e: Error) => this.log.debug('webrtc error', { session: this.id, error: e.message }));
    const pc = (this.peer as unknown as { _pc?: RTCPeerConnection })._pc;
    if (!pc) throw new LinkOpenError('the WebRTC stack made no peer connection (too many open?)');
    this.peerConnection = pc;
    // Closed from the other side, or by the WebRTC stack.
    this.peer.on('close', () => this.end());
    // simple-peer takes the first incoming channel as its own (the answerer's `ondatachannel`):
    // route `reload` to it and every other label to our listeners.
    const original = this.peerConnection.ondatachannel;
    let mainTaken = false;
    this.peerConnection.ondatachannel = (event: RTCDataChannelEvent) => {
      if (!initiator && !mainTaken && event.channel.label === RELOAD_CHANNEL_LABEL) {
        mainTaken = true;
        original?.call(this.peerConnection, event);
        return;
      }
      this.extraChannel(event.channel);
    };
    this.peer.on('signal', (data: { type?: string; sdp?: string; candidate?: RTCIceCandidateInit }) => this.gathering.signal(data));
    this.peer.on('_iceComplete', () => this.gathering.complete());
    this.peerConnection.addEventListener('connectionstatechange', () =>
      this.log.debug('peer connection state', { session: this.id, state: this.peerConnection.connectionState, ice: this.peerConnection.iceConnectionState }),
    );
  }

  /**
   * Give simple-peer the remote description (without candidates), then add the candidates with
   * addIceCandidate ourselves (simple-peer would destroy the connection on a refused one).
   *
   * OUR CHOICE, from measurements with node-datachannel: the answerer adds the offerer's
   * candidates only after `remoteCandidateDelayMs`. Checks that reach a libdatachannel offerer
   * before it has the answer made it drop its ICE transport in about one setup in ten
   * ("Got a remote candidate without ICE transport"), and made a DTLS ClientHello arrive too early
   * in most others (then DTLS's 1 s retransmission). Waiting lets the offerer, which has both
   * sides' parameters first, send the first checks; the answerer learns it as a peer-reflexive
   * candidate (RFC 8445 §7.3.1.3) and usually connects before the delay is over. The delayed
   * candidates still matter behind NATs (the answerer's own checks open its NAT binding), where
   * the connection then takes the delay longer. Once connected, they are not added at all.
   */
  signalRemote(type: 'offer' | 'answer', remote: IceParameters, mid: string): void {
    this.log.debug('webrtc remote parameters', { session: this.id, type, ufrag: remote.ufrag, candidates: candidateLines(remote), local: this.gathering.description ? /a=ice-ufrag:(\S+)/.exec(this.gathering.description)?.[1] : undefined });
    this.peer.signal({ type, sdp: remoteSdp(remote, mid, { candidates: false }) });
    const lines = candidateLines(remote);
    const pause = (ms: number) => new Promise<void>((r) => this.deps.clock.setTimer(ms, r));
    const add = async () => {
      for (let i = 0; i < 200 && !this.peerConnection.remoteDescription; i++) await pause(1);
      if (type === 'offer') await pause(this.init.remoteCandidateDelayMs ?? DEFAULT_REMOTE_CANDIDATE_DELAY_MS);
      for (const candidate of lines) {
        if (this.peer.destroyed || (type === 'offer' && this.peer.connected)) return;
        try {
          await this.peerConnection.addIceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: 0 });
        } catch (e) {
          this.log.debug('remote candidate refused', { session: this.id, candidate, error: String(e) });
        }
      }
    };
    void add();
  }

  /**
   * Resolves once simple-peer's channel is open; builds the overlay link. Its callers (offer.complete,
   * answerWebRtc) refuse a signal already aborted, which would fire no 'abort' here.
   */
  connected(remote: IceParameters, options: AbortOptions): Promise<WebRtcConnection> {
    return new Promise<WebRtcConnection>((resolve, reject) => {
      const timeoutMs = this.init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      const finish = (error?: Error) => {
        timer.cancel();
        options.signal?.removeEventListener('abort', onAbort);
        this.peer.off('connect', onConnect);
        this.peer.off('close', onClose);
        if (error) {
          this.end();
          reject(error);
          return;
        }
        const pipe = new SimplePeerPipe(this.peer, dataChannelMessageSize(remote), () => this.end());
        const first = remote.candidates[0];
        const where = (first && formatAddress(first.addrPort)) ?? remote.ufrag;
        this.link = new DataChannelLink(this.deps, pipe, { ...REAL_LINK_DEFAULTS, ...this.init.link, id: `dc${this.id}`, remoteAddress: `webrtc:${where}`, opener: this.initiator });
        this.link.connection = this;
        resolve(this);
      };
      const onConnect = () => finish();
      const onClose = () => finish(new LinkOpenError('the peer connection closed before its channel opened'));
      const onAbort = () => finish(new AbortError());
      const timer = this.deps.clock.setTimer(timeoutMs, () => finish(new LinkOpenError(`the data channel did not open within ${timeoutMs} ms`)));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.peer.on('connect', onConnect);
      this.peer.on('close', onClose);
      if (this.peer.connected) finish();
    });
  }

  openChannel(label: string, options: AbortOptions = {}): Promise<RTCDataChannel> {
    if (label === RELOAD_CHANNEL_LABEL) return Promise.reject(new RangeError(`"${label}" is the overlay link's own channel`));
    if (options.signal?.aborted) return Promise.reject(new AbortError());
    let channel: RTCDataChannel;
    try {
      channel = this.peerConnection.createDataChannel(label);
    } catch (e) {
      return Promise.reject(new LinkOpenError(`cannot open channel ${label}: ${String(e)}`));
    }
    channel.binaryType = 'arraybuffer';
    if (channel.readyState === 'open') return Promise.resolve(channel);
    return new Promise<RTCDataChannel>((resolve, reject) => {
      const done = (error?: Error) => {
        channel.removeEventListener('open', onOpen);
        channel.removeEventListener('close', onClose);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(channel);
      };
      const onOpen = () => done();
      const onClose = () => done(new LinkOpenError(`channel ${label} closed before it opened`));
      const onAbort = () => {
        channel.close();
        done(new AbortError());
      };
      channel.addEventListener('open', onOpen);
      channel.addEventListener('close', onClose);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  onChannel(listener: (channel: RTCDataChannel) => void): () => void {
    this.channelListeners.add(listener);
    for (const c of this.queued.splice(0)) listener(c);
    return () => this.channelListeners.delete(listener);
  }

  private extraChannel(channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer';
    if (this.channelListeners.size === 0) {
      this.queued.push(channel);
      return;
    }
    for (const l of [...this.channelListeners]) l(channel);
  }

  close(): void {
    if (this.link) this.link.close();
    else this.end();
  }

  /**
   * The one end of the peer connection, whoever ends it (cancel, a failure, its link's close, the
   * other side): destroys it and tells the onClose listeners, once.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.peer.destroy();
    this.gathering.end();
    for (const l of this.closeListeners.splice(0)) l();
  }

  onClose(listener: () => void): void {
    if (this.ended) listener();
    else this.closeListeners.push(listener);
  }
}

/** The session's gathered parameters; a failed or aborted gathering ends its peer connection. */
async function gatheredOrDestroyed(session: Session, options: AbortOptions): Promise<{ parameters: IceParameters; mid: string }> {
  try {
    return await session.gathering.gathered(options);
  } catch (e) {
    session.end();
    throw e;
  }
}

/** Start a connection as the Attach requester: gather, then wait for the answer's parameters. */
export async function offerWebRtc(deps: WebRtcDeps, init: WebRtcInit = {}, options: AbortOptions = {}): Promise<WebRtcOffer> {
  if (options.signal?.aborted) throw new AbortError();
  const session = new Session(deps, init, true);
  const gathered = await gatheredOrDestroyed(session, options);
  return {
    local: gathered.parameters,
    complete(remote, completeOptions = {}) {
      // Already aborted: no 'abort' event would stop the wait in `connected` (up to connectTimeoutMs,
      // or a link made for a caller that has gone). Failed, as any other complete that fails: the session ends.
      if (completeOptions.signal?.aborted) {
        session.end();
        return Promise.reject(new AbortError());
      }
      try {
        dataChannelMessageSize(remote);
        session.signalRemote('answer', remote, gathered.mid);
      } catch (e) {
        session.end();
        return Promise.reject(e);
      }
      // Nothing of the signalling above completes synchronously: the channel cannot open before this listens.
      return session.connected(remote, completeOptions);
    },
    cancel: () => session.end(),
    onClose: (listener) => session.onClose(listener),
  };
}

/** Answer an Attach request's parameters: gather ours (for the AttachAns) and connect. */
export async function answerWebRtc(deps: WebRtcDeps, init: WebRtcInit, remote: IceParameters, options: AbortOptions = {}): Promise<WebRtcAnswer> {
  // IceParametersError for fields that make no SDP or no link, before anything starts.
  remoteSdp(remote);
  dataChannelMessageSize(remote);
  if (options.signal?.aborted) throw new AbortError();
  const session = new Session(deps, init, false);
  const connection = session.connected(remote, options);
  // The connection promise may be abandoned when gathering fails; keep it from being unhandled.
  connection.catch(() => {});
  session.signalRemote('offer', remote, '0');
  const gathered = await gatheredOrDestroyed(session, options);
  return { local: gathered.parameters, connection, cancel: () => session.end(), onClose: (listener) => session.onClose(listener) };
}
