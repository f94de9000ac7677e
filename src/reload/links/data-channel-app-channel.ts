/**
 * An application channel (app-channel.ts, RFC 6940 §6.5.2 AppAttach) over one WebRTC data channel:
 * what a WebRTC PeerNetwork hands to AppAttachService, whether the data channel is a second one on
 * the peer connection of an existing overlay link (ARCHITECTURE.md "SIP": no new ICE round) or the
 * first one of a peer connection AppAttach made. Text goes as a string message, bytes as binary
 * (RFC 8831 §6.6 PPIDs keep them apart). The data channel's label names the application:
 * `app-5060` for SIP.
 */
import type { NodeId } from '../wire/ids.js';
import type { AppChannel, AppChannelData } from './app-channel.js';

const LABEL = /^app-(\d{1,5})$/;

/** The data channel label for an Application-ID (§14.5). */
export function appChannelLabel(application: number): string {
  return `app-${application}`;
}

/** The Application-ID a label names; undefined for other channels (`reload`, ...). */
export function applicationOfLabel(label: string): number | undefined {
  const m = LABEL.exec(label);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n > 0 && n < 0xffff ? n : undefined;
}

/** The subset of RTCDataChannel used here (browser, node-datachannel's polyfill and @roamhq/wrtc all have it). */
export type DataChannelLike = Pick<RTCDataChannel, 'label' | 'readyState' | 'send' | 'close' | 'addEventListener' | 'removeEventListener'> & { binaryType: string };

let counter = 0;

/**
 * Wrap an open data channel bound to `remoteNodeId` (the peer connection's DTLS certificate, or
 * the overlay link's, proved it) as an AppChannel for `application`.
 */
export function dataChannelAppChannel(dc: DataChannelLike, remoteNodeId: NodeId, application: number): AppChannel {
  dc.binaryType = 'arraybuffer';
  const id = `dc${++counter}:${dc.label}`;
  const closeListeners = new Set<() => void>();
  let closed = dc.readyState === 'closing' || dc.readyState === 'closed';
  const onClose = () => {
    if (closed && closeListeners.size === 0) return;
    closed = true;
    const ls = [...closeListeners];
    closeListeners.clear();
    for (const l of ls) l();
  };
  dc.addEventListener('close', onClose);
  return {
    id,
    remoteNodeId,
    application,
    get state() {
      return closed || dc.readyState !== 'open' ? 'closed' : 'open';
    },
    send(data: AppChannelData): boolean {
      if (closed || dc.readyState !== 'open') return false;
      try {
        if (typeof data === 'string') dc.send(data);
        else dc.send(data.slice().buffer);
        return true;
      } catch {
        return false;
      }
    },
    onMessage(listener) {
      const handler = (e: Event) => {
        const d = (e as MessageEvent).data as unknown;
        if (typeof d === 'string') listener(d);
        else if (d instanceof ArrayBuffer) listener(new Uint8Array(d));
        else if (ArrayBuffer.isView(d)) listener(new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice());
      };
      dc.addEventListener('message', handler);
      return () => dc.removeEventListener('message', handler);
    },
    onClose(listener) {
      if (closed) {
        listener();
        return () => {};
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      if (!closed) dc.close();
      onClose();
    },
  };
}
