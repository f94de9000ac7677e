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
 * RFC 3261 §16.7 step 6: 4xx finals that "provide information affecting resubmission of this
 * request, such as 401, 407, 415, 420, and 484".
 */
const RESUBMISSION_INFO: ReadonlySet<number> = new Set([401, 407, 415, 420, 484]);

/**
 * RFC 3261 §16.7 step 6, "choosing the best response" among the finals of a forked request (none
 * of them a 2xx, which goes up at once): the one that goes up to the UA (ResponseContext).
 * - "It MUST choose from the 6xx class responses if any exist in the context" (the first that came);
 * - "If no 6xx class responses are present, the proxy SHOULD choose from the lowest response
 *   class stored in the response context. The proxy MAY select any response within that chosen
 *   class": the lowest code in it, except that
 * - "The proxy SHOULD give preference to responses that provide information affecting
 *   resubmission of this request, such as 401, 407, 415, 420, and 484 if the 4xx class is chosen";
 * - a 503 "SHOULD NOT [be forwarded] upstream unless it can determine that any subsequent
 *   requests it might proxy will also generate a 503": another 5xx is chosen before it. When only
 *   503s are left to choose from, a 503 is returned, and the caller makes the 500 that step asks
 *   for ("If the only response that was received is a 503, the proxy SHOULD generate a 500").
 * ResponseContext makes the 500, chooses among the devices' own finals before those it made, and
 * adds the challenges of the other 401s and 407s to a 401 or 407 chosen (step 7).
 * `finals` must not be empty (a context has a final of each branch when it chooses).
 */
export function bestFinal(finals: readonly SipMessage[]): SipMessage {
  const six = finals.find((f) => f.status >= 600);
  if (six) return six;
  const lowestClass = Math.min(...finals.map((f) => Math.floor(f.status / 100)));
  const inClass = finals.filter((f) => Math.floor(f.status / 100) === lowestClass);
  const preferred = lowestClass === 4 ? inClass.filter((f) => RESUBMISSION_INFO.has(f.status)) : lowestClass === 5 ? inClass.filter((f) => f.status !== 503) : [];
  return lowest(preferred.length > 0 ? preferred : inClass);
}

function lowest(finals: readonly SipMessage[]): SipMessage {
  return finals.reduce((best, f) => (f.status < best.status ? f : best));
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
