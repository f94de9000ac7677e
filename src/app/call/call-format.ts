/**
 * Words and numbers of the call screens (issue 7), as pure functions: the in-call timer, the line
 * that says what a call is doing, the outcome of a finished call from this side's point of view,
 * and the figures of the "Call details" panel.
 */
import type { CallSnapshot } from '../../phone/index.js';
import type { CallStatsSummary, StreamSummary } from '../../phone/media-stats.js';

/** `65_000` → `01:05`; an hour or more → `1:01:05`; negative or NaN → `00:00`. */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** The timer of a connected call at `now` (ms since 1970); `00:00` before it connected. */
export function callTimer(call: Pick<CallSnapshot, 'connectedAt'>, now: number): string {
  return call.connectedAt === undefined ? '00:00' : formatDuration(now - call.connectedAt);
}

/** What a call is doing, in a sentence (screen readers hear it when it changes). */
export function callLine(c: CallSnapshot): string {
  const who = c.remoteUser;
  switch (c.state) {
    case 'calling':
      return `Calling ${who}…`;
    case 'ringing':
      return `Ringing ${who}…`;
    case 'incoming':
      return `${who} is calling you.`;
    case 'connected':
      return `In a call with ${who}${c.muted ? ' (muted)' : ''}${c.held ? ' (on hold)' : ''}.`;
    case 'ended':
      return `The call with ${who} ended.`;
    case 'failed':
      return outcomeOfFailure(c);
  }
}

/** Why a call failed, said from this side: a declined incoming call is "You declined…", not "alice declined…". */
function outcomeOfFailure(c: CallSnapshot): string {
  const who = c.remoteUser;
  if (c.direction === 'incoming') {
    switch (c.error?.code) {
      case 'declined':
        return `You declined the call from ${who}.`;
      case 'cancelled':
        return `${who} hung up before the call was answered here (missed call).`;
      case 'no-answer':
        return `You missed a call from ${who}.`;
      default:
        break;
    }
  }
  return c.error?.message ?? `The call with ${who} failed.`;
}

export const isActive = (c: CallSnapshot) => c.state !== 'ended' && c.state !== 'failed';

/** `1536` → `1.5 KB`; bytes as a person reads them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** One row of the "Call details" panel. */
export interface DetailRow {
  readonly label: string;
  readonly value: string;
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);
const pct = (s: StreamSummary | undefined) => (s ? `${s.lossPercent.toFixed(1)} % (${s.packetsLost} of ${s.packets + s.packetsLost} packets)` : '–');

/** The details panel's rows from a stats summary: RTT, loss, jitter, codec, bytes (and video, when there is some). */
export function detailRows(s: CallStatsSummary): DetailRow[] {
  const rows: DetailRow[] = [
    { label: 'Round-trip time', value: ms(s.rttMs) },
    { label: 'Packet loss, received audio', value: pct(s.audio.in) },
    { label: 'Packet loss, sent audio (reported by the other side)', value: pct(s.audio.out) },
    { label: 'Jitter, received audio', value: ms(s.audio.in?.jitterMs) },
    { label: 'Audio codec', value: s.audio.in?.codec ?? s.audio.out?.codec ?? '–' },
    { label: 'Audio received', value: formatBytes(s.audio.in?.bytes ?? 0) },
    { label: 'Audio sent', value: formatBytes(s.audio.out?.bytes ?? 0) },
  ];
  const vin = s.video.in;
  const vout = s.video.out;
  if (vin || vout) {
    rows.push({ label: 'Video codec', value: vin?.codec ?? vout?.codec ?? '–' });
    if (vin) rows.push({ label: 'Video received', value: `${formatBytes(vin.bytes)}${vin.frameWidth ? `, ${vin.frameWidth}×${vin.frameHeight ?? 0}` : ''}${vin.framesPerSecond ? ` at ${Math.round(vin.framesPerSecond)} fps` : ''}` });
    if (vout) rows.push({ label: 'Video sent', value: formatBytes(vout.bytes) });
  }
  return rows;
}

/** An audio level 0..1 (getStats audioLevel, linear) as a 0..100 meter value, on a perceptual (square-root) scale. */
export function levelPercent(level: number | undefined): number {
  if (level === undefined || !Number.isFinite(level) || level <= 0) return 0;
  return Math.min(100, Math.round(Math.sqrt(level) * 100));
}
