/**
 * A raw message channel under an overlay link: one WebSocket, one data channel, one in-memory
 * pipe. It moves opaque byte messages and knows nothing of RELOAD; `FramedLink` puts the RFC 6940
 * §6.6.2 framing on top, so every link kind shares framing, acks, RTT and liveness.
 */
export interface BytePipe {
  /** Largest message the pipe carries, in bytes (a FramedMessage: the RELOAD message plus 8). */
  readonly maxMessageSize: number;
  /** Send one message. Silently dropped once the pipe is closed. */
  send(bytes: Uint8Array): void;
  /** Close the pipe; the other end's `closed` handler fires (after the pipe's latency). */
  close(): void;
  /** Install the receive handlers (exactly once, before any traffic). */
  setHandlers(handlers: BytePipeHandlers): void;
}

export interface BytePipeHandlers {
  /** One message from the other end. */
  message(bytes: Uint8Array): void;
  /** The pipe closed (the other end closed it, or the channel failed). Not called for our own `close()`. */
  closed(): void;
}
