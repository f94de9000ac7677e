/**
 * Node only: node-datachannel's RTCPeerConnection polyfill as simple-peer's `wrtc`, with the thin
 * wrapper the facts note (shared/notes/webrtc-and-jssip-facts.md) describes: simple-peer assigns
 * `offer.sdp`, and the polyfill's RTCSessionDescription has only a getter, so createOffer and
 * createAnswer return plain `{ type, sdp }` objects.
 */
import * as polyfill from 'node-datachannel/polyfill';
import type { WrtcImplementation } from '../webrtc-connection.js';

class PlainDescriptionPeerConnection extends polyfill.RTCPeerConnection {
  override async createOffer(): Promise<RTCSessionDescriptionInit> {
    const d = (await super.createOffer()) as RTCSessionDescriptionInit;
    return { type: d.type, sdp: d.sdp ?? '' };
  }

  override async createAnswer(): Promise<RTCSessionDescriptionInit> {
    const d = (await super.createAnswer()) as RTCSessionDescriptionInit;
    return { type: d.type, sdp: d.sdp ?? '' };
  }
}

/** simple-peer's `wrtc` for Node. */
export const nodeWrtc: WrtcImplementation = {
  RTCPeerConnection: PlainDescriptionPeerConnection as unknown as typeof RTCPeerConnection,
  RTCSessionDescription: polyfill.RTCSessionDescription as unknown as typeof RTCSessionDescription,
  RTCIceCandidate: polyfill.RTCIceCandidate as unknown as typeof RTCIceCandidate,
};

/**
 * RTCConfiguration for node-datachannel. `bindAddress` (libjuice) restricts the host candidates to
 * one local address: `127.0.0.1` keeps tests on loopback.
 */
export function nodeRtcConfiguration(iceServers: readonly RTCIceServer[] = [], bindAddress?: string): RTCConfiguration {
  return { iceServers: [...iceServers], ...(bindAddress ? { bindAddress } : {}) } as RTCConfiguration;
}
