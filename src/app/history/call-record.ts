/**
 * A finished call of the Phone as a history row (issue 7): direction, outcome in the history's
 * words, when it started and how long the connected part lasted. Pure, so the table below is tested
 * without a call.
 */
import type { CallSnapshot } from '../../phone/index.js';
import type { CallOutcome, CallRecord } from '../store/index.js';

/** When the recorder saw the call start ringing, connect and end (ms since 1970). */
export interface CallTimes {
  readonly start: number;
  readonly connectedAt: number | undefined;
  readonly endedAt: number;
}

/** The history row of a call that has ended or failed. */
export function callRecordOf(call: CallSnapshot, times: CallTimes): Omit<CallRecord, 'id'> {
  const connected = times.connectedAt !== undefined;
  return {
    direction: call.direction === 'incoming' ? 'in' : 'out',
    aor: call.remoteAor,
    start: times.start,
    durationMs: connected ? Math.max(0, times.endedAt - times.connectedAt!) : 0,
    outcome: connected ? 'answered' : outcomeOf(call),
    callId: call.id,
  };
}

/** How a call that never connected ended, from its PhoneError code (src/phone/phone-error.ts). */
function outcomeOf(call: CallSnapshot): CallOutcome {
  const code = call.error?.code;
  if (call.direction === 'incoming') {
    // We pressed Decline (603): declined; a call whose answer failed (no microphone): failed;
    // the caller gave up, it timed out, or another device of ours took it: missed.
    if (code === 'declined') return 'rejected';
    if (code === 'microphone-denied' || code === 'failed') return 'failed';
    return 'missed';
  }
  switch (code) {
    case 'busy':
      return 'busy';
    case 'declined':
      return 'rejected';
    case 'no-answer':
      return 'no-answer';
    case 'cancelled':
      return 'cancelled';
    case 'not-online':
    case 'not-found':
    case 'unreachable':
      return 'unavailable';
    default:
      return 'failed';
  }
}

/** The outcome in words, as the history shows it. */
export const OUTCOME_TEXT: Readonly<Record<CallOutcome, string>> = {
  answered: 'Answered',
  missed: 'Missed',
  rejected: 'Declined',
  busy: 'Busy',
  unavailable: 'Not online',
  'no-answer': 'No answer',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** `0:07`, `12:03`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** When a call was, for the history: `Today, 14:32`, `Yesterday, 09:05`, else the date and time. */
export function formatWhen(at: number, now: number, locale?: string): string {
  const time = new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const day = (t: number) => new Date(t).toDateString();
  if (day(at) === day(now)) return `Today, ${time}`;
  if (day(at) === day(now - 86_400_000)) return `Yesterday, ${time}`;
  return `${new Date(at).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' })}, ${time}`;
}
