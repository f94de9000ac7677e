/**
 * Whether a link carries frames both ways now, judged as its own liveness check judges it (RFC 6940
 * §6.6.3.1: "wait for three retransmissions ... If no ACKs have been received by the time the third
 * retransmission occurs"): silent only after LINK_CHECK_PROBES unanswered probes (Link.probe), each
 * waiting one RTO (at least LINK_PROBE_MIN_WAIT_MS, at most LINK_PROBE_MAX_WAIT_MS). One lost frame
 * or ack does not make the verdict, and a round trip near a fixed timeout does not either.
 */
import type { Link } from './link.js';

/** §6.6.3.1's three retransmissions before the link is given up. */
export const LINK_CHECK_PROBES = 3;
/** OUR CHOICE: RFC 6298 §2.4's 1 s minimum RTO: a fresh link's RTO estimate may be far below a slow path's round trip. */
export const LINK_PROBE_MIN_WAIT_MS = 1_000;
/** OUR CHOICE: a bound, so that the verdict comes within LINK_CHECK_MS (RETIRED_LINK_GRACE_MS waits for it). */
export const LINK_PROBE_MAX_WAIT_MS = 2_000;
/** The longest a verdict takes (unless this end was not running meanwhile, late-check.ts). */
export const LINK_CHECK_MS = LINK_CHECK_PROBES * LINK_PROBE_MAX_WAIT_MS;

/** How long one probe of `link` waits for its ack: its RTO, within the bounds above. */
export function probeWaitMs(link: Pick<Link, 'rto'>): number {
  return Math.min(LINK_PROBE_MAX_WAIT_MS, Math.max(LINK_PROBE_MIN_WAIT_MS, link.rto));
}

/** True once a probe of `link` is answered; false after LINK_CHECK_PROBES unanswered ones, or when it closes. */
export async function carriesFrames(link: Link): Promise<boolean> {
  for (let i = 0; i < LINK_CHECK_PROBES; i++) {
    if (await link.probe(probeWaitMs(link))) return true;
    if (link.state === 'closed') return false;
  }
  return false;
}
