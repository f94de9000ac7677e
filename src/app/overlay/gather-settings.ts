/**
 * How long a browser peer waits for its ICE candidates before an Attach goes out (the links'
 * bounded gathering, links/webrtc/webrtc-connection.ts: no trickle, what is gathered goes into one
 * Attach, RFC 6940 §6.5.1).
 *
 * Measured in Chromium (bench/overlay-join.ts, issue 5): with no STUN or TURN server the host
 * candidates are all there within a few ms of setLocalDescription, but Chromium says "gathering
 * complete" only about 130 ms later, and the join makes two such gatherings one after the other
 * (the Attach to the admitting peer, then the Attaches to the neighbours). Host candidates come
 * together (one per interface, gathered at once), so with no server to ask a short quiet spell
 * after the last one is enough. With a STUN or TURN server, server-reflexive and relayed
 * candidates come a round trip later: the links' default quiet spell stays.
 */
import type { WebRtcInit } from '../../reload/links/webrtc/index.js';

/** Quiet spell after the last host candidate when no STUN/TURN server is configured (ms). */
export const HOST_ONLY_GATHER_QUIET_MS = 30;

/** The gathering settings for a peer connection with these ICE servers. */
export function gatherSettingsFor(iceServers: readonly RTCIceServer[]): Pick<WebRtcInit, 'gatherQuietMs'> {
  return iceServers.length === 0 ? { gatherQuietMs: HOST_ONLY_GATHER_QUIET_MS } : {};
}
