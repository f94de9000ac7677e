/**
 * A BytePipe over one open WebSocket: one binary WebSocket message per FramedMessage (RFC 6940
 * §6.6.2), so every frame is a whole WebSocket message and a capture decodes frame by frame.
 * A text message breaks the framing: the pipe closes the socket (1003, "unsupported data") and
 * reports the close, which FramedLink surfaces as a remote close.
 */
import type { BytePipe, BytePipeHandlers } from '../byte-pipe.js';
import { WebSocketReadyState, type WebSocketLike } from './websocket-like.js';

/** WebSocket close codes (RFC 6455 §7.4.1). */
const NORMAL_CLOSURE = 1000;
const UNSUPPORTED_DATA = 1003;

export class WebSocketPipe implements BytePipe {
  private handlers: BytePipeHandlers | undefined;
  private closed = false;
  private readonly early: Uint8Array[] = [];

  constructor(
    private readonly socket: WebSocketLike,
    readonly maxMessageSize: number,
  ) {
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event: MessageEvent) => this.receive(event.data);
    socket.onclose = () => this.remoteClosed();
    // An error is always followed by a close event (WHATWG WebSockets "fail the WebSocket connection").
    socket.onerror = () => {};
  }

  setHandlers(handlers: BytePipeHandlers): void {
    this.handlers = handlers;
    for (const b of this.early.splice(0)) handlers.message(b);
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket.readyState !== WebSocketReadyState.OPEN) return;
    this.socket.send(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(NORMAL_CLOSURE);
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    let bytes: Uint8Array | undefined;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (!bytes || bytes.length > this.maxMessageSize) {
      this.closed = true;
      this.socket.close(UNSUPPORTED_DATA, bytes ? 'frame too large' : 'binary frames only');
      this.handlers?.closed();
      return;
    }
    if (this.handlers) this.handlers.message(bytes);
    else this.early.push(bytes);
  }

  private remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.closed();
  }
}
