import { describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../phone/index.js';
import { PhoneError } from '../../phone/phone-error.js';
import { summarizeStats } from '../../phone/media-stats.js';
import { callLine, callTimer, detailRows, formatBytes, formatDuration, levelPercent } from './call-format.js';

const call = (over: Partial<CallSnapshot> = {}): CallSnapshot => ({
  id: 'c1',
  direction: 'outgoing',
  remoteUser: 'bob',
  remoteAor: 'sip:bob@o',
  state: 'connected',
  muted: false,
  held: false,
  error: undefined,
  connectedAt: undefined,
  video: false,
  dtmfReceived: '',
  onHold: { local: false, remote: false },
  ...over,
});

describe('the call timer', () => {
  it.each([
    [0, '00:00'],
    [999, '00:00'],
    [1000, '00:01'],
    [65_000, '01:05'],
    [59 * 60_000 + 59_999, '59:59'],
    [3600_000, '1:00:00'],
    [3661_000, '1:01:01'],
    [-5, '00:00'],
    [Number.NaN, '00:00'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('counts from when the call connected; 00:00 before', () => {
    expect(callTimer(call({ connectedAt: 10_000 }), 72_500)).toBe('01:02');
    expect(callTimer(call(), 72_500)).toBe('00:00');
  });
});

describe('callLine', () => {
  it('says what the call is doing', () => {
    expect(callLine(call({ state: 'calling' }))).toBe('Calling bob…');
    expect(callLine(call({ state: 'incoming', direction: 'incoming' }))).toBe('bob is calling you.');
    expect(callLine(call({ muted: true, held: true }))).toBe('In a call with bob (muted) (on hold).');
    expect(callLine(call({ state: 'ended' }))).toBe('The call with bob ended.');
  });

  it('a failure is said from this side', () => {
    const declined = new PhoneError('declined', 'bob declined the call.', 603);
    expect(callLine(call({ state: 'failed', error: declined }))).toBe('bob declined the call.');
    expect(callLine(call({ state: 'failed', direction: 'incoming', error: declined }))).toBe('You declined the call from bob.');
    expect(callLine(call({ state: 'failed', direction: 'incoming', error: new PhoneError('cancelled', 'The call was cancelled.') }))).toContain('missed call');
    expect(callLine(call({ state: 'failed', error: new PhoneError('not-online', 'bob is not online.') }))).toBe('bob is not online.');
  });
});

describe('details and meters', () => {
  it('formats bytes', () => {
    expect([0, 1023, 1536, 5 * 1024 * 1024].map(formatBytes)).toEqual(['0 B', '1023 B', '1.5 KB', '5.0 MB']);
  });

  it('rows carry RTT, loss, jitter, codec and bytes; video rows only with video', () => {
    const s = summarizeStats(
      new Map([
        ['c', { type: 'codec', id: 'c', mimeType: 'audio/opus', clockRate: 48000 }],
        ['p', { type: 'candidate-pair', id: 'p', state: 'succeeded', nominated: true, currentRoundTripTime: 0.0234 }],
        ['i', { type: 'inbound-rtp', id: 'i', kind: 'audio', codecId: 'c', bytesReceived: 2048, packetsReceived: 99, packetsLost: 1, jitter: 0.0031 }],
      ]),
    );
    const rows = Object.fromEntries(detailRows(s).map((r) => [r.label, r.value]));
    expect(rows['Round-trip time']).toBe('23 ms');
    expect(rows['Packet loss, received audio']).toBe('1.0 % (1 of 100 packets)');
    expect(rows['Jitter, received audio']).toBe('3 ms');
    expect(rows['Audio codec']).toBe('opus 48000 Hz');
    expect(rows['Audio received']).toBe('2.0 KB');
    expect(rows['Packet loss, sent audio (reported by the other side)']).toBe('–');
    expect(rows['Video codec']).toBeUndefined();
  });

  it('levels map to 0..100 on a square-root scale', () => {
    expect([undefined, 0, -1, 0.01, 0.25, 1, 2].map(levelPercent)).toEqual([0, 0, 0, 10, 50, 100, 100]);
  });
});
