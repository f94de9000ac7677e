/** When a call's SDP goes without waiting out ICE gathering (issue 6): the first useful candidate, or the cap. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { iceReadiness } from './ice-readiness.js';

const STUN: RTCConfiguration = { iceServers: [{ urls: 'stun:stun.example' }] };

/** Feed candidate lines to one session's handler; how often `ready()` was called after each. */
function feed(config: RTCConfiguration | undefined, lines: readonly string[], clock = new ManualClock()): number[] {
  const on = iceReadiness(clock, config, 300);
  let ready = 0;
  return lines.map((candidate) => {
    on({ candidate: { candidate } as RTCIceCandidate, ready: () => ready++ });
    return ready;
  });
}

const host = 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host';
const hostTcp = 'candidate:2 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active';
const srflx = 'candidate:3 1 udp 1686052607 198.51.100.7 54400 typ srflx raddr 192.0.2.1 rport 54400';

describe('iceReadiness', () => {
  it('goes at the first server-reflexive candidate, once', () => {
    expect(feed(STUN, [host, srflx, srflx])).toEqual([0, 1, 1]);
  });

  it('with no STUN/TURN servers, goes at the first UDP host candidate (a TCP one does not count)', () => {
    expect(feed(undefined, [hostTcp, host, host])).toEqual([0, 1, 1]);
  });

  it('goes at the cap after the first candidate when no useful one comes', () => {
    const clock = new ManualClock();
    const on = iceReadiness(clock, STUN, 300);
    let ready = 0;
    on({ candidate: { candidate: host } as RTCIceCandidate, ready: () => ready++ });
    clock.advance(299);
    expect(ready).toBe(0);
    clock.advance(1);
    expect(ready).toBe(1);
    on({ candidate: { candidate: srflx } as RTCIceCandidate, ready: () => ready++ });
    expect(ready).toBe(1);
  });
});
