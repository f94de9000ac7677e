/**
 * An application channel (app-channel.ts) over a Link of its own (memory link, or the link of a
 * peer connection an AppAttach made): each channel message is one link message holding a one-byte
 * tag (0 text as UTF-8, 1 bytes) and the message.
 */
import type { NodeId } from '../wire/ids.js';
import type { AppChannel, AppChannelData } from './app-channel.js';
import type { Link } from './link.js';

const TAG_TEXT = 0;
const TAG_BYTES = 1;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** `link`, bound to `remoteNodeId` by its handshake, as an AppChannel for `application`. */
export function linkAppChannel(link: Link, remoteNodeId: NodeId, application: number): AppChannel {
  return {
    id: `app:${link.id}`,
    remoteNodeId,
    application,
    get state() {
      return link.state === 'closed' ? 'closed' : 'open';
    },
    send(data: AppChannelData): boolean {
      const body = typeof data === 'string' ? utf8.encode(data) : data;
      const frame = new Uint8Array(body.length + 1);
      frame[0] = typeof data === 'string' ? TAG_TEXT : TAG_BYTES;
      frame.set(body, 1);
      return link.send(frame);
    },
    onMessage(listener) {
      return link.onMessage((m) => {
        if (m.length === 0) return;
        listener(m[0] === TAG_TEXT ? fromUtf8.decode(m.subarray(1)) : m.slice(1));
      });
    },
    onClose(listener) {
      if (link.state === 'closed') {
        listener();
        return () => {};
      }
      let done = false;
      return link.onStateChange((s) => {
        if (s === 'closed' && !done) {
          done = true;
          listener();
        }
      });
    },
    close: () => link.close(),
  };
}
