/**
 * Media figures read from an RTCPeerConnection's getStats (W3C webrtc-stats), the same in the
 * browser and in Node (@roamhq/wrtc reports `mediaType` where browsers report `kind`).
 *
 * ```ts
 * const summary = summarizeStats(await pc.getStats());   // the "Call details" panel (issue 7)
 * summary.rttMs; summary.audio.in?.lossPercent; summary.audio.in?.codec   // 'opus 48000 Hz'
 * ```
 */

/** The fields of an RTCStats entry read here (every one optional: browsers differ). */
export interface StatsEntry {
  readonly type?: string;
  readonly id?: string;
  readonly kind?: string;
  readonly mediaType?: string;
  readonly bytesReceived?: number;
  readonly bytesSent?: number;
  readonly packetsReceived?: number;
  readonly packetsLost?: number;
  readonly packetsSent?: number;
  readonly jitter?: number;
  readonly roundTripTime?: number;
  readonly currentRoundTripTime?: number;
  readonly fractionLost?: number;
  readonly audioLevel?: number;
  readonly codecId?: string;
  readonly mimeType?: string;
  readonly clockRate?: number;
  readonly state?: string;
  readonly nominated?: boolean;
  readonly selected?: boolean;
  readonly selectedCandidatePairId?: string;
  readonly frameWidth?: number;
  readonly frameHeight?: number;
  readonly framesPerSecond?: number;
}

/** What an RTCStatsReport offers here (a Map-like of entries). */
export interface StatsReportLike {
  forEach(fn: (entry: StatsEntry) => void): void;
}

/** One direction of one kind of media (all its RTP streams together). */
export interface StreamSummary {
  readonly bytes: number;
  readonly packets: number;
  /** Packets lost (inbound: as we counted; outbound: as the other side reported, remote-inbound-rtp). */
  readonly packetsLost: number;
  /** packetsLost / (packets + packetsLost), in %, 0 when nothing was sent yet. */
  readonly lossPercent: number;
  /** Inbound: our jitter estimate; outbound: the other side's (remote-inbound-rtp), ms. */
  readonly jitterMs: number | undefined;
  /** `opus 48000 Hz`, `VP8`, ... */
  readonly codec: string | undefined;
  /** Last audio level, 0..1 (inbound-rtp for what we hear, media-source for our microphone). */
  readonly audioLevel: number | undefined;
  /** Video frame size and rate, when video. */
  readonly frameWidth: number | undefined;
  readonly frameHeight: number | undefined;
  readonly framesPerSecond: number | undefined;
}

export interface KindSummary {
  readonly in: StreamSummary | undefined;
  readonly out: StreamSummary | undefined;
}

export interface CallStatsSummary {
  /** Round-trip time of the selected ICE candidate pair (else RTCP's, remote-inbound-rtp), ms. */
  readonly rttMs: number | undefined;
  readonly audio: KindSummary;
  readonly video: KindSummary;
}

const kindOf = (s: StatsEntry): string | undefined => s.kind ?? s.mediaType;

function codecName(codec: StatsEntry | undefined): string | undefined {
  if (!codec?.mimeType) return undefined;
  const name = codec.mimeType.replace(/^(audio|video)\//i, '');
  return codec.clockRate && /^audio\//i.test(codec.mimeType) ? `${name} ${codec.clockRate} Hz` : name;
}

interface Acc {
  bytes: number;
  packets: number;
  lost: number;
  jitter: number | undefined;
  codec: string | undefined;
  level: number | undefined;
  width: number | undefined;
  height: number | undefined;
  fps: number | undefined;
  seen: boolean;
}

const acc = (): Acc => ({ bytes: 0, packets: 0, lost: 0, jitter: undefined, codec: undefined, level: undefined, width: undefined, height: undefined, fps: undefined, seen: false });

function finish(a: Acc): StreamSummary | undefined {
  if (!a.seen) return undefined;
  const total = a.packets + a.lost;
  return {
    bytes: a.bytes,
    packets: a.packets,
    packetsLost: a.lost,
    lossPercent: total > 0 ? (100 * a.lost) / total : 0,
    jitterMs: a.jitter,
    codec: a.codec,
    audioLevel: a.level,
    frameWidth: a.width,
    frameHeight: a.height,
    framesPerSecond: a.fps,
  };
}

const maxOf = (a: number | undefined, b: number | undefined) => (b === undefined ? a : a === undefined ? b : Math.max(a, b));

/** Sums up one getStats report: RTT, loss, jitter, codec, bytes and levels per kind and direction. */
export function summarizeStats(report: StatsReportLike): CallStatsSummary {
  const byId = new Map<string, StatsEntry>();
  const entries: StatsEntry[] = [];
  report.forEach((s) => {
    entries.push(s);
    if (s.id) byId.set(s.id, s);
  });
  const parts = { audio: { in: acc(), out: acc() }, video: { in: acc(), out: acc() } };
  const part = (s: StatsEntry) => {
    const k = kindOf(s);
    return k === 'audio' || k === 'video' ? parts[k] : undefined;
  };
  let pairRtt: number | undefined;
  let rtcpRtt: number | undefined;
  const transportPairs = new Set(entries.filter((s) => s.type === 'transport' && s.selectedCandidatePairId).map((s) => s.selectedCandidatePairId));
  for (const s of entries) {
    const p = part(s);
    switch (s.type) {
      case 'inbound-rtp': {
        if (!p) break;
        const a = p.in;
        a.seen = true;
        a.bytes += s.bytesReceived ?? 0;
        a.packets += s.packetsReceived ?? 0;
        a.lost += Math.max(0, s.packetsLost ?? 0);
        a.jitter = maxOf(a.jitter, s.jitter === undefined ? undefined : s.jitter * 1000);
        a.codec ??= codecName(s.codecId ? byId.get(s.codecId) : undefined);
        a.level = maxOf(a.level, s.audioLevel);
        a.width = maxOf(a.width, s.frameWidth);
        a.height = maxOf(a.height, s.frameHeight);
        a.fps = maxOf(a.fps, s.framesPerSecond);
        break;
      }
      case 'outbound-rtp': {
        if (!p) break;
        const a = p.out;
        a.seen = true;
        a.bytes += s.bytesSent ?? 0;
        a.packets += s.packetsSent ?? 0;
        a.codec ??= codecName(s.codecId ? byId.get(s.codecId) : undefined);
        a.width = maxOf(a.width, s.frameWidth);
        a.height = maxOf(a.height, s.frameHeight);
        a.fps = maxOf(a.fps, s.framesPerSecond);
        break;
      }
      case 'remote-inbound-rtp': {
        // The other side's receiver report (RTCP RR) about what we send.
        if (!p) break;
        p.out.lost += Math.max(0, s.packetsLost ?? 0);
        p.out.jitter = maxOf(p.out.jitter, s.jitter === undefined ? undefined : s.jitter * 1000);
        if (s.roundTripTime !== undefined) rtcpRtt = maxOf(rtcpRtt, s.roundTripTime * 1000);
        break;
      }
      case 'media-source': {
        if (p && s.audioLevel !== undefined) p.out.level = maxOf(p.out.level, s.audioLevel);
        break;
      }
      case 'candidate-pair': {
        const chosen = s.id !== undefined && transportPairs.size > 0 ? transportPairs.has(s.id) : s.selected === true || (s.nominated === true && s.state === 'succeeded');
        if (chosen && s.currentRoundTripTime !== undefined) pairRtt = s.currentRoundTripTime * 1000;
        break;
      }
    }
  }
  // A level without RTP yet (the microphone before the call connects) still shows.
  for (const k of ['audio', 'video'] as const) if (parts[k].out.level !== undefined) parts[k].out.seen = true;
  return {
    rttMs: pairRtt ?? rtcpRtt,
    audio: { in: finish(parts.audio.in), out: finish(parts.audio.out) },
    video: { in: finish(parts.video.in), out: finish(parts.video.out) },
  };
}

/** getStats of `pc`, summed up (summarizeStats). */
export async function readCallStats(pc: RTCPeerConnection): Promise<CallStatsSummary> {
  return summarizeStats((await pc.getStats()) as unknown as StatsReportLike);
}

/** Bytes of audio RTP received so far on `pc` (every inbound-rtp audio stream). */
export async function inboundAudioBytes(pc: RTCPeerConnection): Promise<number> {
  const stats = await pc.getStats();
  let bytes = 0;
  stats.forEach((s: StatsEntry) => {
    if (s.type === 'inbound-rtp' && kindOf(s) === 'audio') bytes += s.bytesReceived ?? 0;
  });
  return bytes;
}
