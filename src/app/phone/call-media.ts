/**
 * The media of one call as the page sees it: the remote audio to play, and the inbound RTP audio
 * byte counter (getStats `inbound-rtp`, W3C webrtc-stats) that the e2e test reads through the
 * debug handle (debug-handle.ts).
 */
import { inboundAudioBytes as inboundBytesOf } from '../../phone/media-stats.js';
import type { PhoneCall } from '../../phone/index.js';

/** The call's RTCPeerConnection (JsSIP's RTCSession.connection), once it has one. */
export function peerConnectionOf(call: PhoneCall): RTCPeerConnection | undefined {
  return (call.session.connection as RTCPeerConnection | null | undefined) ?? undefined;
}

/** Inbound RTP audio bytes of the call so far (0 before media flows). */
export async function inboundAudioBytes(call: PhoneCall): Promise<number> {
  const pc = peerConnectionOf(call);
  return !pc || pc.connectionState === 'closed' ? 0 : inboundBytesOf(pc);
}

/** A stream of the call's received tracks, kept up to date as tracks arrive; undefined before there is a connection. */
export function remoteStreamOf(call: PhoneCall): MediaStream | undefined {
  const pc = peerConnectionOf(call);
  if (!pc) return undefined;
  const stream = new MediaStream(pc.getReceivers().map((r) => r.track));
  pc.addEventListener('track', (e) => {
    if (!stream.getTracks().includes(e.track)) stream.addTrack(e.track);
  });
  return stream;
}
