/**
 * What OverlaySocket answers: the SIP status for a request it could not route (RFC 3261 §21: 480
 * "the callee's end system was contacted successfully but the callee is currently unavailable
 * (e.g., is not logged in)", 482 Loop Detected, 404 Not Found, 408 Request Timeout), and which
 * final response of a forked request goes up to the UA (§16.7 step 6); and the key that keeps
 * requests to one target in order.
 */
import { nodeIdKey } from '../reload/forwarding/index.js';
import { parseGruu, SipUsageError } from '../usages/sip/index.js';
import type { SipMessage } from './sip-message.js';

/**
 * RFC 3261 §16.7 step 6 ("choose ... any 6xx ... otherwise the lowest response class"), then the
 * lowest code in it: the final response of a forked request that goes up to the UA (ResponseContext).
 */
export function bestFinal(finals: readonly SipMessage[]): SipMessage {
  const six = finals.find((f) => f.status >= 600);
  if (six) return six;
  return [...finals].sort((a, b) => a.status - b.status)[0]!;
}

/** The status and reason phrase for a routing failure (a SipUsageError, or anything else). */
export function statusForRoutingFailure(e: unknown): [number, string] {
  if (e instanceof SipUsageError) {
    switch (e.code) {
      case 'not-registered':
        return [480, 'Temporarily Unavailable'];
      case 'registration-loop':
        return [482, 'Loop Detected'];
      case 'invalid-aor':
      case 'invalid-gruu':
      case 'foreign-domain':
        return [404, 'Not Found'];
      case 'overlay-failure':
        return [408, 'Request Timeout'];
    }
  }
  return [480, 'Temporarily Unavailable'];
}

/** Requests to one target stay in order: the GRUU's device, or the AoR. */
export function routingKey(requestUri: string): string {
  try {
    const g = parseGruu(requestUri);
    const last = g?.destinationList[g.destinationList.length - 1];
    if (last?.kind === 'node') return `node:${nodeIdKey(last.nodeId)}`;
  } catch {
    // fall through: routed (and refused) as an AoR
  }
  return `aor:${requestUri.split(/[;?>]/, 1)[0]!.toLowerCase()}`;
}
