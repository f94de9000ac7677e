/**
 * BytePipes over WebRTC data channels: one channel message per FramedMessage (RFC 6940 §6.6.2).
 * `SimplePeerPipe` is the overlay link's own channel (the one simple-peer negotiates);
 * `DataChannelPipe` wraps any other open RTCDataChannel (standard API), for callers that want
 * FramedLink framing on an extra channel.
 */
import type SimplePeer from 'simple-peer';
import type { BytePipe, BytePipeHandlers } from '../byte-pipe.js';

function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** The data channel simple-peer set up (its Duplex stream API), as a pipe. Closing it ends the peer connection. */
export class SimplePeerPipe implements BytePipe {
  private handlers: BytePipeHandlers | undefined;
  private closed = false;
  private readonly early: Uint8Array[] = [];

  constructor(
    private readonly peer: SimplePeer.Instance,
    readonly maxMessageSize: number,
  ) {
    peer.on('data', (data: unknown) => {
      if (this.closed) return;
      const bytes = asBytes(data);
      if (!bytes) return;
      if (this.handlers) this.handlers.message(bytes);
      else this.early.push(bytes);
    });
    peer.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.handlers?.closed();
    });
  }

  setHandlers(handlers: BytePipeHandlers): void {
    this.handlers = handlers;
    for (const b of this.early.splice(0)) handlers.message(b);
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      this.peer.send(bytes);
    } catch {
      // The channel is closing; the close event follows.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.peer.destroy();
  }
}

/** Any open RTCDataChannel as a pipe (binary messages only; a text message closes it). */
export class DataChannelPipe implements BytePipe {
  private handlers: BytePipeHandlers | undefined;
  private closed = false;
  private readonly early: Uint8Array[] = [];

  constructor(
    private readonly channel: RTCDataChannel,
    readonly maxMessageSize: number,
  ) {
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (event: MessageEvent) => {
      if (this.closed) return;
      const bytes = asBytes(event.data);
      if (!bytes) {
        this.close();
        this.handlers?.closed();
        return;
      }
      if (this.handlers) this.handlers.message(bytes);
      else this.early.push(bytes);
    };
    channel.onclose = () => {
      if (this.closed) return;
      this.closed = true;
      this.handlers?.closed();
    };
  }

  setHandlers(handlers: BytePipeHandlers): void {
    this.handlers = handlers;
    for (const b of this.early.splice(0)) handlers.message(b);
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.channel.readyState !== 'open') return;
    try {
      this.channel.send(bytes as Uint8Array<ArrayBuffer>);
    } catch {
      // Closing; the close event follows.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
  }
}
