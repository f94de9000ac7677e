/**
 * Application channels (RFC 6940 §6.5.2 AppAttach: "a direct connection to another node for the
 * purposes of sending application-layer messages"): what a PeerNetwork offers, beside overlay
 * links, for usages such as SIP (RFC 7904 §5). A channel is a reliable, ordered message channel
 * to one peer, bound to that peer's Node-ID by the channel's handshake (DTLS/TLS certificate;
 * RFC 7904 §5.1 "the responding Peer MUST present a certificate with a Node-ID matching the
 * terminal entry in the destination list"), carrying whole messages of text or bytes.
 *
 * The AppAttach exchange goes through message transport (AppAttachService, reload/overlay); the network only
 * describes its side in ICE terms and makes the channel:
 *
 * ```
 *  requester                                   answerer
 *  offer(B, app)  -> AppAttachReq ----------->  answer(A, app, req)   (prepares to accept)
 *                 <----------- AppAttachAns <-   (cancel() when it does not go)
 *  open(B, app, ans) ======== channel =======>  onInbound(channel bound to A)
 * ```
 * Where the channel comes unbidden rather than on a connection the answer made (`expectMs`), the
 * AppAttachService takes it only for an AppAttach it answered (RFC 7904 §5.1).
 * Memory network: the candidate is a host address; WebRTC: ICE ufrag/password/candidates (and the
 * DTLS fingerprint), or, when a peer connection to that Node-ID exists already, a new labelled
 * data channel on it with no ICE round at all (ARCHITECTURE.md "SIP").
 */
import type { AbortOptions } from '../runtime/components.js';
import type { NodeId } from '../wire/ids.js';
import type { MessageExtension } from '../wire/message-contents.js';
import type { AppAttachReq } from '../wire/methods/app-attach.js';

/** One message on an application channel. */
export type AppChannelData = string | Uint8Array;

export interface AppChannel {
  /** Unique per process, for logs. */
  readonly id: string;
  /** The Node-ID the channel is bound to (the other end). */
  readonly remoteNodeId: NodeId;
  /** The Application-ID (§14.5) it was made for, e.g. 5060 for SIP. */
  readonly application: number;
  readonly state: 'open' | 'closed';
  /** Queue one whole message; false (nothing sent) when the channel is closed or the message too large. */
  send(data: AppChannelData): boolean;
  onMessage(listener: (data: AppChannelData) => void): () => void;
  /** Called once when the channel closes (either end, or failure). */
  onClose(listener: () => void): () => void;
  close(): void;
}

/**
 * The ICE fields of an AppAttachReq / AppAttachAns (§6.5.2.1) that the network fills in, and the
 * message extensions (§6.3.3) it wants on that signed request or answer, e.g. the DTLS
 * fingerprint extension 0xC001 (wire/methods/dtls-fingerprint.ts) that binds a new WebRTC
 * connection to the signer. Received ones come with the extensions of the message they came in.
 */
export type AppAttachIce = Pick<AppAttachReq, 'ufrag' | 'password' | 'candidates'> & {
  readonly extensions?: readonly MessageExtension[];
};

/** The answerer's side of one AppAttach (AppChannelNetwork.answer). */
export interface AppAttachAnswer {
  /** What the AppAttachAns carries. */
  readonly local: AppAttachIce;
  /**
   * Set when the requester's channel is to come unbidden, not on a connection this answer makes
   * (memory: a link to our application address; WebRTC: an `app-N` data channel on a peer
   * connection we share): for how long (ms; Infinity: until cancelled) the AppAttachService
   * waits for that one channel from `remote`, handed to onInbound as `unbidden`.
   */
  readonly expectMs?: number;
  /**
   * The AppAttachAns did not go (Reply.unsent): the requester cannot open this channel, so what
   * the answer holds for it (a peer connection and its budget slot, say) is freed now rather
   * than at its own timeout. Idempotent.
   */
  cancel(): void;
}

/** What a PeerNetwork implements so usages can AppAttach (see the diagram above). */
export interface AppChannelNetwork {
  /** Requester: our ICE fields for an AppAttachReq to `remote`. */
  offer(remote: NodeId, application: number): Promise<AppAttachIce>;
  /**
   * Answerer: an AppAttachReq from `remote` (verified signer) arrived: get ready to accept its
   * channel and return our AppAttachAns fields, with a way to stop waiting for that channel.
   * Throw (ReloadError) to refuse.
   */
  answer(remote: NodeId, application: number, request: AppAttachIce): Promise<AppAttachAnswer>;
  /** Requester, with the AppAttachAns in hand: make the channel; resolves once it is open and bound to `remote`. */
  open(remote: NodeId, application: number, answer: AppAttachIce, options?: AbortOptions): Promise<AppChannel>;
  /**
   * The one listener for channels other peers open to this one. `unbidden`: it did not come on a
   * connection an answer of ours made, so the listener takes it only while an answer expects it
   * (AppAttachAnswer.expectMs) and closes it otherwise.
   */
  onInbound(listener: (channel: AppChannel, unbidden: boolean) => void): void;
  /** Close every channel and stop accepting. */
  close(): void;
}
