/**
 * A fake open RTCDataChannel for ExistingConnections tests (ice-app-channels.ts): `deliver` plays a
 * message from the other end; `sent` keeps what we sent; `closed` says whether we closed it.
 */
import type { DataChannelLike } from '../../links/data-channel-app-channel.js';
import { bytesEqual } from '../../wire/codec/hex.js';
import type { NodeId } from '../../wire/ids.js';
import type { ExistingConnections } from '../ice-app-channels.js';

export interface FakeDataChannel {
  readonly dc: DataChannelLike;
  readonly sent: string[];
  readonly closed: () => boolean;
  deliver(data: string): void;
}

export function fakeDataChannel(label: string): FakeDataChannel {
  const listeners = new Map<string, Set<(e: unknown) => void>>();
  const sent: string[] = [];
  let state: RTCDataChannelState = 'open';
  const dc = {
    label,
    get readyState() {
      return state;
    },
    binaryType: 'arraybuffer',
    send: (d: string) => void sent.push(d),
    close: () => {
      if (state === 'closed') return;
      state = 'closed';
      for (const l of listeners.get('close') ?? []) l({});
    },
    addEventListener: (t: string, l: (e: unknown) => void) => {
      if (!listeners.has(t)) listeners.set(t, new Set());
      listeners.get(t)!.add(l);
    },
    removeEventListener: (t: string, l: (e: unknown) => void) => void listeners.get(t)?.delete(l),
  };
  return {
    dc: dc as unknown as DataChannelLike,
    sent,
    closed: () => state === 'closed',
    deliver: (data) => {
      for (const l of listeners.get('message') ?? []) l({ data });
    },
  };
}

/**
 * ExistingConnections with a peer connection shared with each of `peers` (openChannel unused);
 * `openedBy(nodeId, label)` plays that peer opening a data channel on it.
 */
export function fakeExistingConnections(peers: readonly NodeId[]): { existing: ExistingConnections; openedBy(nodeId: NodeId, label: string): FakeDataChannel } {
  let listener: ((nodeId: NodeId, dc: DataChannelLike) => void) | undefined;
  const shared = (n: NodeId) => peers.some((p) => bytesEqual(p, n));
  const existing: ExistingConnections = {
    connectionTo: (n) => (shared(n) ? { openChannel: () => Promise.reject(new Error('not used here')) } : undefined),
    onChannel: (l) => void (listener = l),
  };
  return {
    existing,
    openedBy(nodeId, label) {
      const ch = fakeDataChannel(label);
      listener?.(nodeId, ch.dc);
      return ch;
    },
  };
}
