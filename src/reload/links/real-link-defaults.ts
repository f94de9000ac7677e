/**
 * FramedLink settings shared by the links of the real network (WebSocket, WebRTC data channel):
 * ARCHITECTURE.md / issue 5 ask that "a dead link is noticed within 5 s and routed around".
 *
 * OUR CHOICE: an idle link is probed every second (`keepaliveIntervalMs`), and a link whose
 * frames go unacknowledged for 4 s closes as `dead` (RFC 6940 §6.6.5 RECOMMENDS keeping a failed
 * connection 30 s "to determine if the failure was transient"; we trade that for a faster
 * reroute, as the issue asks). A silent peer is thus closed at most keepalive + failure timeout
 * = 5 s after it fell silent; it turns `suspect` (routed around, §6.6.3.1) well before.
 */
import type { FramedLinkInit } from './framed-link.js';

export type RealLinkSettings = Pick<FramedLinkInit, 'failureTimeoutMs' | 'keepaliveIntervalMs' | 'rtt' | 'suspectAfterProbes'>;

export const REAL_LINK_DEFAULTS: RealLinkSettings = { failureTimeoutMs: 4_000, keepaliveIntervalMs: 1_000 };
