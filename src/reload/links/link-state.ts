import type { TransitionTable } from '../runtime/state-machine.js';

/**
 * The state of an overlay link (RFC 6940 §6.6, §6.6.3.1, §6.6.5).
 *
 * ```
 *            acks stop (no ack for an RTO, then 3 probes)
 *   open  ───────────────────────────────────────────▶  suspect
 *     ▲   ◀───────────────────────────────────────────    │
 *     │              an ack arrives again                  │
 *     │                                                    │ failure timeout (no ack at all)
 *     │ close() / remote close / protocol error            │ close() / remote close
 *     └──────────────────────────▶  closed  ◀──────────────┘
 * ```
 * `open`: usable. `suspect`: §6.6.3.1 "it is RECOMMENDED that the link be removed from the Routing
 * Table. The link MAY be restored to the Routing Table if ACKs resume" — forwarding routes around a
 * suspect link. `closed`: final.
 */
export type LinkState = 'open' | 'suspect' | 'closed';

export const linkTransitions: TransitionTable<LinkState> = {
  open: ['suspect', 'closed'],
  suspect: ['open', 'closed'],
  closed: [],
};
