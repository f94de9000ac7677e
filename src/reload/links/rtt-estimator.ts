/**
 * RTT and RTO estimation for one overlay link (RFC 6940 §6.6.3.1, §6.6.5): "Implementations that
 * use a dynamic estimate to compute the RTO MUST use the algorithm described in RFC 6298, with the
 * exception that the value of RTO SHOULD NOT be rounded up to the nearest second, but instead
 * rounded up to the nearest millisecond."
 */

/** RFC 6940 §6.6.3.1: "For implementations that use a static value, the default value for RTO is 500 ms." Used until the first sample. */
export const DEFAULT_INITIAL_RTO_MS = 500;
/**
 * Lower bound on the RTO. DEVIATION: RFC 6298 (2.4) says the RTO SHOULD be at least 1 s; §6.6.3.1
 * allows smaller values "if it is known that all nodes are within the local network", and our links
 * are reliable channels where the RTO only times liveness, so 100 ms keeps failure detection quick.
 */
export const DEFAULT_MIN_RTO_MS = 100;
/** RFC 6298 (2.5): "A maximum value MAY be placed on RTO provided it is at least 60 seconds." */
export const DEFAULT_MAX_RTO_MS = 60_000;
/** RFC 6298 clock granularity G; our clocks count milliseconds. */
const CLOCK_GRANULARITY_MS = 1;
/** RFC 6298 (2.3): alpha = 1/8, beta = 1/4, K = 4. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;

export interface RttEstimatorInit {
  readonly initialRtoMs?: number;
  readonly minRtoMs?: number;
  readonly maxRtoMs?: number;
}

export class RttEstimator {
  private srtt: number | undefined;
  private rttvar = 0;
  private rtoMs: number;
  private readonly minRto: number;
  private readonly maxRto: number;

  constructor(init: RttEstimatorInit = {}) {
    this.minRto = init.minRtoMs ?? DEFAULT_MIN_RTO_MS;
    this.maxRto = init.maxRtoMs ?? DEFAULT_MAX_RTO_MS;
    this.rtoMs = this.clamp(init.initialRtoMs ?? DEFAULT_INITIAL_RTO_MS);
  }

  /** Smoothed RTT (ms), undefined before the first sample. */
  get rtt(): number | undefined {
    return this.srtt;
  }

  /** Current RTO (ms), whole milliseconds. */
  get rto(): number {
    return this.rtoMs;
  }

  /** Take one RTT measurement `r` (ms). */
  sample(r: number): void {
    if (!(r >= 0) || !Number.isFinite(r)) return;
    if (this.srtt === undefined) {
      // RFC 6298 (2.2): SRTT <- R, RTTVAR <- R/2.
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      // RFC 6298 (2.3): RTTVAR first (with the old SRTT), then SRTT.
      this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - r);
      this.srtt = (1 - ALPHA) * this.srtt + ALPHA * r;
    }
    this.rtoMs = this.clamp(this.srtt + Math.max(CLOCK_GRANULARITY_MS, K * this.rttvar));
  }

  private clamp(ms: number): number {
    return Math.min(this.maxRto, Math.max(this.minRto, Math.ceil(ms)));
  }
}
