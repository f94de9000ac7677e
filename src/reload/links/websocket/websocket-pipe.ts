/**
 * A BytePipe over one open WebSocket: one binary WebSocket message per FramedMessage (RFC 6940
 * §6.6.2), so every frame is a whole WebSocket message and a capture decodes frame by frame.
 * A text message breaks the framing: the pipe closes the socket (1003, "unsupported data") and
 * reports the close, which FramedLink surfaces as a remote close.
 */
import { BufferedPipe, messageBytes } from '../byte-pipe.js';
import { WebSocketReadyState, type WebSocketLike } from './websocket-like.js';

/** WebSocket close codes (RFC 6455 §7.4.1). */
const NORMAL_CLOSURE = 1000;
const UNSUPPORTED_DATA = 1003;

export class WebSocketPipe extends BufferedPipe {
  constructor(
    private readonly socket: WebSocketLike,
    maxMessageSize: number,
  ) {
    super(maxMessageSize);
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event: MessageEvent) => this.receive(event.data);
    socket.onclose = () => this.remoteClosed();
    // An error is always followed by a close event (WHATWG WebSockets "fail the WebSocket connection").
    socket.onerror = () => {};
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket.readyState !== WebSocketReadyState.OPEN) return;
    this.socket.send(bytes);
  }

  protected closeChannel(): void {
    this.socket.close(NORMAL_CLOSURE);
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    const bytes = messageBytes(data);
    if (!bytes || bytes.length > this.maxMessageSize) {
      this.socket.close(UNSUPPORTED_DATA, bytes ? 'frame too large' : 'binary frames only');
      this.remoteClosed();
      return;
    }
    this.deliver(bytes);
  }
}
