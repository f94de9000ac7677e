import { describe, expect, it } from 'vitest';
import { summarizeStats, type StatsEntry } from './media-stats.js';

/** A report as getStats gives it (a Map of id → entry). */
const report = (entries: StatsEntry[]) => new Map(entries.map((e, i) => [e.id ?? `s${i}`, e]));

/** Roughly what Chromium reports for an audio call with video from the other side. */
const chromiumCall: StatsEntry[] = [
  { type: 'codec', id: 'c-opus', mimeType: 'audio/opus', clockRate: 48000 },
  { type: 'codec', id: 'c-vp8', mimeType: 'video/VP8', clockRate: 90000 },
  { type: 'transport', id: 't', selectedCandidatePairId: 'cp2' },
  { type: 'candidate-pair', id: 'cp1', state: 'succeeded', nominated: true, currentRoundTripTime: 0.5 },
  { type: 'candidate-pair', id: 'cp2', state: 'succeeded', nominated: true, currentRoundTripTime: 0.012 },
  { type: 'inbound-rtp', id: 'ia', kind: 'audio', codecId: 'c-opus', bytesReceived: 9000, packetsReceived: 90, packetsLost: 10, jitter: 0.004, audioLevel: 0.25 },
  { type: 'inbound-rtp', id: 'iv', kind: 'video', codecId: 'c-vp8', bytesReceived: 50000, packetsReceived: 60, packetsLost: 0, jitter: 0.01, frameWidth: 640, frameHeight: 480, framesPerSecond: 30 },
  { type: 'outbound-rtp', id: 'oa', kind: 'audio', codecId: 'c-opus', bytesSent: 8000, packetsSent: 100 },
  { type: 'remote-inbound-rtp', id: 'ra', kind: 'audio', packetsLost: 5, jitter: 0.002, roundTripTime: 0.03 },
  { type: 'media-source', id: 'ms', kind: 'audio', audioLevel: 0.5 },
];

describe('summarizeStats', () => {
  const s = summarizeStats(report(chromiumCall));

  it('takes the RTT of the selected candidate pair (the transport names it), in ms', () => {
    expect(s.rttMs).toBeCloseTo(12);
  });

  it('sums inbound audio: bytes, loss in % of what was sent, jitter in ms, codec with clock rate, level', () => {
    expect(s.audio.in).toMatchObject({ bytes: 9000, packets: 90, packetsLost: 10, codec: 'opus 48000 Hz', audioLevel: 0.25 });
    expect(s.audio.in?.lossPercent).toBeCloseTo(10);
    expect(s.audio.in?.jitterMs).toBeCloseTo(4);
  });

  it('outbound audio takes its loss and jitter from the other side\'s report and its level from the microphone', () => {
    expect(s.audio.out).toMatchObject({ bytes: 8000, packets: 100, packetsLost: 5, codec: 'opus 48000 Hz', audioLevel: 0.5 });
    expect(s.audio.out?.lossPercent).toBeCloseTo((100 * 5) / 105);
    expect(s.audio.out?.jitterMs).toBeCloseTo(2);
  });

  it('reports video per direction, frame size included; a direction with no stream is undefined', () => {
    expect(s.video.in).toMatchObject({ bytes: 50000, codec: 'VP8', frameWidth: 640, frameHeight: 480, framesPerSecond: 30, lossPercent: 0 });
    expect(s.video.out).toBeUndefined();
  });

  it('without a transport entry, the nominated succeeded pair (or RTCP\'s RTT) is used', () => {
    const noTransport = chromiumCall.filter((e) => e.type !== 'transport' && e.id !== 'cp1');
    expect(summarizeStats(report(noTransport)).rttMs).toBeCloseTo(12);
    const rtcpOnly = chromiumCall.filter((e) => e.type !== 'candidate-pair');
    expect(summarizeStats(report(rtcpOnly)).rttMs).toBeCloseTo(30);
  });

  it('Node (@roamhq/wrtc) says mediaType where browsers say kind', () => {
    const n = summarizeStats(report([{ type: 'inbound-rtp', mediaType: 'audio', bytesReceived: 10, packetsReceived: 1 }]));
    expect(n.audio.in?.bytes).toBe(10);
    expect(n.audio.in?.codec).toBeUndefined();
    expect(n.rttMs).toBeUndefined();
  });

  it('an empty report (before media) gives no streams and no loss', () => {
    const e = summarizeStats(report([]));
    expect(e).toEqual({ rttMs: undefined, audio: { in: undefined, out: undefined }, video: { in: undefined, out: undefined } });
  });

  it('a microphone level before any RTP still shows', () => {
    expect(summarizeStats(report([{ type: 'media-source', kind: 'audio', audioLevel: 0.1 }])).audio.out?.audioLevel).toBe(0.1);
  });
});
