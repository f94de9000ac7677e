/**
 * A device's SIP channel for tests of OverlaySocket and ResponseContext: it keeps what was sent on
 * it, `deliver` plays a message from the device, `close()` is its tab going away.
 */
import type { AppChannel } from '../../reload/links/app-channel.js';
import { parseSipMessage, type SipMessage } from '../sip-message.js';

export interface FakeSipChannel extends AppChannel {
  /** What was sent on the channel, parsed. */
  readonly sent: SipMessage[];
  /** A message from the device at the other end. */
  deliver(text: string): void;
}

/** The channel to device `n` (its Node-ID is 16 bytes of `n`); `takes: false` refuses every send. */
export function fakeSipChannel(n: number, takes = true): FakeSipChannel {
  const closeListeners = new Set<() => void>();
  const messageListeners = new Set<(data: string) => void>();
  let state: 'open' | 'closed' = 'open';
  const ch: FakeSipChannel = {
    id: `ch${n}`,
    remoteNodeId: new Uint8Array(16).fill(n),
    application: 5060,
    get state() {
      return state;
    },
    sent: [],
    send(data) {
      if (state === 'closed' || !takes) return false;
      ch.sent.push(parseSipMessage(String(data))!);
      return true;
    },
    deliver(text) {
      for (const l of messageListeners) l(text);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      if (state === 'closed') {
        listener();
        return () => {};
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      if (state === 'closed') return;
      state = 'closed';
      for (const l of closeListeners) l();
    },
  };
  return ch;
}

/** The methods of the requests the socket sent on `ch`, in order. */
export const requests = (ch: FakeSipChannel): string[] => ch.sent.filter((m) => m.kind === 'request').map((m) => m.method);

/** The responses the socket sent on `ch`, as "status METHOD", in order. */
export const responses = (ch: FakeSipChannel): string[] => ch.sent.filter((m) => m.kind === 'response').map((m) => `${m.status} ${m.method}`);
