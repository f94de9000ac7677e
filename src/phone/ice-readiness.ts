/**
 * When a call's SDP may go without waiting out ICE gathering (issue 6;
 * webrtc-and-jssip-facts.md, kamailio-baseline.md): a handler for one JsSIP session's
 * `icecandidate` events that lets the offer/answer go at the first server-reflexive or relay
 * candidate, or, with no STUN/TURN servers configured (host candidates are all there is), at the
 * first UDP host candidate; at the latest `capMs` after the first candidate (only TCP ones, or
 * servers that never answer).
 */
import type { Clock, Timer } from '../reload/runtime/components.js';

/** JsSIP's `icecandidate` session event. */
export interface IceEvent {
  readonly candidate: RTCIceCandidate | null;
  ready(): void;
}

/** The handler of one session's `icecandidate` events, for media configured with `rtcConfiguration`. */
export function iceReadiness(clock: Pick<Clock, 'setTimer'>, rtcConfiguration: RTCConfiguration | undefined, capMs: number): (e: IceEvent) => void {
  let cap: Timer | undefined;
  let done = false;
  const hostOnly = (rtcConfiguration?.iceServers?.length ?? 0) === 0;
  return (e) => {
    const go = () => {
      if (done) return;
      done = true;
      cap?.cancel();
      e.ready();
    };
    const line = e.candidate?.candidate ?? '';
    const type = e.candidate?.type ?? /typ (\w+)/.exec(line)?.[1];
    if (type === 'srflx' || type === 'relay') return go();
    const protocol = e.candidate?.protocol ?? /^candidate:\S+ \d+ (\w+)/i.exec(line)?.[1]?.toLowerCase();
    if (hostOnly && type === 'host' && protocol === 'udp') return go();
    cap ??= clock.setTimer(capMs, go);
  };
}
