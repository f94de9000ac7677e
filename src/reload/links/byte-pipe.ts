/**
 * A raw message channel under an overlay link: one WebSocket, one data channel, one in-memory
 * pipe. It moves opaque byte messages and knows nothing of RELOAD; `FramedLink` puts the RFC 6940
 * §6.6.2 framing on top, so every link kind shares framing, acks, RTT and liveness.
 */
export interface BytePipe {
  /** Largest message the pipe carries, in bytes (a FramedMessage: the RELOAD message plus 8). */
  readonly maxMessageSize: number;
  /**
   * Send one message. Silently dropped once the pipe is closed. The bytes are handed over: the
   * caller does not change them afterwards (the memory network delivers this very array).
   */
  send(bytes: Uint8Array): void;
  /** Close the pipe; the other end's `closed` handler fires (after the pipe's latency). */
  close(): void;
  /** Install the receive handlers (exactly once, before any traffic). */
  setHandlers(handlers: BytePipeHandlers): void;
}

export interface BytePipeHandlers {
  /**
   * One message from the other end. The bytes are handed over: the pipe neither keeps nor changes
   * them afterwards, so the receiver may keep views of them instead of copies.
   */
  message(bytes: Uint8Array): void;
  /** The pipe closed (the other end closed it, or the channel failed). Not called for our own `close()`. */
  closed(): void;
}

/** A received channel message (ArrayBuffer or a typed-array view) as bytes; undefined for text. */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * What every pipe over a real channel does alike: messages that arrive before `setHandlers` are
 * kept and delivered then; a remote close is reported once, and never after our own `close()`.
 */
export abstract class BufferedPipe implements BytePipe {
  private handlers: BytePipeHandlers | undefined;
  private readonly early: Uint8Array[] = [];
  protected closed = false;

  constructor(readonly maxMessageSize: number) {}

  abstract send(bytes: Uint8Array): void;

  /** Close the underlying channel (called once, by `close()`). */
  protected abstract closeChannel(): void;

  setHandlers(handlers: BytePipeHandlers): void {
    this.handlers = handlers;
    for (const b of this.early.splice(0)) handlers.message(b);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeChannel();
  }

  /** Hand one received message up (or keep it until the handlers are set). */
  protected deliver(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.handlers) this.handlers.message(bytes);
    else this.early.push(bytes);
  }

  /** The channel closed under us (or we closed it for a protocol error): report it once. */
  protected remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.closed();
  }
}
