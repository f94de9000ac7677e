/**
 * Media figures read from an RTCPeerConnection's getStats (W3C webrtc-stats), the same in the
 * browser and in Node (@roamhq/wrtc reports `mediaType` where browsers report `kind`).
 */

/** Bytes of audio RTP received so far on `pc` (every inbound-rtp audio stream). */
export async function inboundAudioBytes(pc: RTCPeerConnection): Promise<number> {
  const stats = await pc.getStats();
  let bytes = 0;
  stats.forEach((s: { type?: string; kind?: string; mediaType?: string; bytesReceived?: number }) => {
    if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') bytes += s.bytesReceived ?? 0;
  });
  return bytes;
}
