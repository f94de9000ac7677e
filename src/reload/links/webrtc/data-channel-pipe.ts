/**
 * The overlay link's own WebRTC data channel (the one simple-peer negotiates, its Duplex stream API)
 * as a BytePipe: one channel message per FramedMessage (RFC 6940 §6.6.2). Closing it ends the peer
 * connection.
 */
import type SimplePeer from 'simple-peer';
import { BufferedPipe, messageBytes } from '../byte-pipe.js';

export class SimplePeerPipe extends BufferedPipe {
  /** `end` ends the peer connection (the session's one end, which tells who waits for it). */
  constructor(
    private readonly peer: SimplePeer.Instance,
    maxMessageSize: number,
    private readonly end: () => void,
  ) {
    super(maxMessageSize);
    peer.on('data', (data: unknown) => {
      const bytes = messageBytes(data);
      if (bytes) this.deliver(bytes);
    });
    peer.on('close', () => this.remoteClosed());
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      this.peer.send(bytes);
    } catch {
      // The channel is closing; the close event follows.
    }
  }

  protected closeChannel(): void {
    this.end();
  }
}
