/**
 * The overlay link contract (RFC 6940 §6.6): a connection to one neighbour over which RELOAD
 * messages travel, one FramedMessage (§6.6.2) per underlying channel message. Every link kind
 * (in-memory for the simulator, WebSocket, WebRTC data channel) implements it, most of them by
 * wrapping a raw byte pipe in `FramedLink`, and every one passes `link.compliance.ts`.
 *
 * The forwarding layer owns the link table (Node-ID -> Link); links know nothing of Node-IDs.
 */
import type { AbortOptions } from '../runtime/components.js';
import type { LinkState } from './link-state.js';

export type { LinkState } from './link-state.js';

/** Why a link closed. */
export type LinkCloseReason =
  /** `close()` was called on this end. */
  | 'local'
  /** The other end closed it (or the underlying channel closed). */
  | 'remote'
  /** No acknowledgement arrived within the failure timeout (RFC 6940 §6.6: "quickly signals a likely failure"). */
  | 'dead'
  /** The other end broke the framing (§6.6.2) or sent a frame too large for the link. */
  | 'protocol-error';

/** Listener for messages received on a link: the bytes of one RELOAD message or fragment. */
export type LinkMessageListener = (message: Uint8Array) => void;

/** Listener for link state changes. `reason` is set when the new state is `closed`. */
export type LinkStateListener = (state: LinkState, reason: LinkCloseReason | undefined) => void;

/**
 * A reliable, ordered message channel to one neighbour, in the state machine of `link-state.ts`:
 * `open` (usable), `suspect` (acks stopped: forwarding routes around it; RFC 6940 §6.6.3.1 "it is
 * RECOMMENDED that the link be removed from the Routing Table"), `closed` (final).
 */
export interface Link {
  /** Identifies the link in logs and captures (unique per process). */
  readonly id: string;
  /** The address of the other end, as the link kind spells it (memory address, URL, ...). */
  readonly remoteAddress: string;
  /**
   * The largest RELOAD message (or fragment) this link carries in one frame, in bytes: the MTU
   * the forwarding layer fragments against (RFC 6940 §6.7). At most 2^24-1 (§6.6.2 `message`).
   */
  readonly maxMessageSize: number;
  readonly state: LinkState;
  /** Smoothed round-trip time in ms from framing acks (RFC 6298 SRTT), undefined before the first sample. */
  readonly rtt: number | undefined;
  /** Current retransmission timeout estimate in ms (RFC 6298 RTO; §6.6.5 uses it as the failure timer). */
  readonly rto: number;
  /**
   * Queue one RELOAD message (or fragment) for the neighbour. Returns false, sending nothing, when
   * the link is closed, the message is empty or larger than `maxMessageSize`.
   */
  send(message: Uint8Array): boolean;
  /**
   * Whether the link carries frames both ways now: a liveness probe (RFC 6940 §6.6.3.1 judges a
   * link by its ACKs) goes out at once, and this resolves true when the ack of it, or of a later
   * frame, arrives within `timeoutMs`; false otherwise, or when the link is or becomes closed.
   * The probe is a frame like any other: until acked it counts in the link's own liveness check,
   * so a link that answers none goes `suspect` and then closes as `dead` (§6.6.3.1, §6.6.5).
   * One probe is one frame: for a verdict, see link-check.ts (carriesFrames).
   */
  probe(timeoutMs: number): Promise<boolean>;
  /**
   * Whether this end has seen the other alive within the last `ms`: a frame from it arrived, and
   * none of ours has waited longer for its ack. No frame is sent.
   */
  heardWithin(ms: number): boolean;
  /** Close the link (both ends end in `closed`). Idempotent. */
  close(): void;
  /** Subscribe to received messages; returns the unsubscribe function. */
  onMessage(listener: LinkMessageListener): () => void;
  /** Subscribe to state changes (including the final `closed`); returns the unsubscribe function. */
  onStateChange(listener: LinkStateListener): () => void;
}

/**
 * Opens links to peers, given what an Attach (RFC 6940 §6.5.1) carries for the link kind: for
 * the memory network an address string; for WebRTC, ICE and DTLS parameters (a later issue).
 */
export interface LinkFactory<Address = string> {
  open(address: Address, options?: AbortOptions): Promise<Link>;
}

/** Receives links that other peers opened towards us. */
export type InboundLinkListener = (link: Link) => void;

/** Thrown by `LinkFactory.open` when no link can be made. */
export class LinkOpenError extends Error {
  override readonly name: string = 'LinkOpenError';
}
