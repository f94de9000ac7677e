/**
 * The churn model of the simulator: each peer stays for an exponentially distributed session
 * (configurable median), peers arrive as a Poisson process whose rate keeps the population
 * around its target (an M/M/∞ queue: population ≈ arrival rate × mean session), and each
 * departure is either an abrupt failure (the peer vanishes; its neighbours find out through
 * liveness, RFC 6940 §10.7.3) or a graceful Leave (§10.7.3 "peers SHOULD send a Leave"), in a
 * configurable ratio.
 *
 * The whole schedule is computed up front from a seeded generator (same seed, same schedule):
 * sessions are memoryless, so the peers alive at the start also leave after an exponential time.
 * Times are whole milliseconds.
 */
import type { Random } from '../../reload/runtime/components.js';

/** How a peer goes away. */
export type DepartureKind = 'fail' | 'leave';

/**
 * One churn event, `at` ms after churn starts. Peers are numbered: 0..initialPeers-1 are alive
 * at the start, arrivals get initialPeers, initialPeers+1, … in arrival order.
 */
export type ChurnEvent =
  | { readonly at: number; readonly kind: 'join'; readonly peer: number }
  | { readonly at: number; readonly kind: DepartureKind; readonly peer: number };

export interface ChurnInit {
  /** Peers alive when churn starts (numbered 0..initialPeers-1). */
  readonly initialPeers: number;
  /** Median session time in ms (> 0). The mean is median / ln 2. */
  readonly medianSessionMs: number;
  /** Events later than this (ms after churn starts) are left out. */
  readonly durationMs: number;
  /** Fraction of departures that are abrupt failures, 0..1 (the rest leave gracefully); default 0.5. */
  readonly failFraction?: number;
  /** Population the arrivals keep the overlay around; default `initialPeers`. */
  readonly targetPopulation?: number;
}

/** One exponentially distributed session time (ms) with the given median. */
export function exponentialSessionMs(random: Pick<Random, 'float'>, medianMs: number): number {
  const mean = medianMs / Math.LN2;
  // 1 - u is in (0, 1], so the logarithm is finite.
  return -mean * Math.log(1 - random.float());
}

/** The churn events of a run, sorted by time (ties: in the order they were drawn). */
export function churnSchedule(random: Pick<Random, 'float'>, init: ChurnInit): ChurnEvent[] {
  if (!(init.medianSessionMs > 0)) throw new RangeError(`median session time must be positive, got ${init.medianSessionMs}`);
  if (!Number.isInteger(init.initialPeers) || init.initialPeers < 0) throw new RangeError(`initialPeers must be a non-negative integer, got ${init.initialPeers}`);
  const failFraction = init.failFraction ?? 0.5;
  if (!(failFraction >= 0 && failFraction <= 1)) throw new RangeError(`failFraction must be in 0..1, got ${failFraction}`);
  const target = init.targetPopulation ?? init.initialPeers;
  const meanMs = init.medianSessionMs / Math.LN2;
  const events: { e: ChurnEvent; seq: number }[] = [];
  let seq = 0;
  const push = (e: ChurnEvent) => events.push({ e, seq: seq++ });
  // Event times are whole milliseconds: sums of integers stay exact, so timers set from them
  // never land a rounding error before or after the instant they aim at.
  const departure = (peer: number, from: number) => {
    const at = Math.round(from + exponentialSessionMs(random, init.medianSessionMs));
    const kind: DepartureKind = random.float() < failFraction ? 'fail' : 'leave';
    if (at <= init.durationMs) push({ at, kind, peer });
  };
  for (let p = 0; p < init.initialPeers; p++) departure(p, 0);
  // Poisson arrivals at rate target / mean session: in steady state the population is target.
  if (target > 0) {
    const interArrivalMean = meanMs / target;
    let t = 0;
    let next = init.initialPeers;
    for (;;) {
      t += -interArrivalMean * Math.log(1 - random.float());
      if (t > init.durationMs) break;
      const peer = next++;
      const at = Math.round(t);
      push({ at, kind: 'join', peer });
      departure(peer, at);
    }
  }
  events.sort((a, b) => a.e.at - b.e.at || a.seq - b.seq);
  return events.map((x) => x.e);
}

/** Counts of a schedule's events by kind. */
export function churnCounts(events: readonly ChurnEvent[]): { joins: number; fails: number; leaves: number } {
  let joins = 0;
  let fails = 0;
  let leaves = 0;
  for (const e of events) {
    if (e.kind === 'join') joins++;
    else if (e.kind === 'fail') fails++;
    else leaves++;
  }
  return { joins, fails, leaves };
}
