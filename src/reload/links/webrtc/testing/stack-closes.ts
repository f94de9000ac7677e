/**
 * For tests: the WebRTC stack ends a peer connection by itself (its ICE transport closed), as it
 * may under a link that has not seen it yet. simple-peer destroys itself on it (a microtask later).
 */
export function stackCloses(pc: RTCPeerConnection): void {
  Object.defineProperty(pc, 'iceConnectionState', { value: 'closed' });
  pc.oniceconnectionstatechange?.call(pc, new Event('iceconnectionstatechange'));
}
