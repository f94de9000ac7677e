/**
 * Bounds on the received requests being processed at once, in total and per neighbour, so that a
 * flood from one link cannot exhaust memory: requests beyond the bounds are dropped before any
 * work is done for them (their senders retransmit, RFC 6940 §6.2.1).
 */
export class InboundLimiter {
  private total = 0;
  private readonly perKey = new Map<string, number>();
  dropped = 0;

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerKey: number,
  ) {}

  get inProgress(): number {
    return this.total;
  }

  /** Count one request from `key` (a neighbour); false (and counted as dropped) when over a bound. */
  admit(key: string): boolean {
    const mine = this.perKey.get(key) ?? 0;
    if (this.total >= this.maxTotal || mine >= this.maxPerKey) {
      this.dropped++;
      return false;
    }
    this.total++;
    this.perKey.set(key, mine + 1);
    return true;
  }

  /** The request from `key` is done. */
  release(key: string): void {
    const mine = this.perKey.get(key);
    if (mine === undefined) return;
    this.total--;
    if (mine <= 1) this.perKey.delete(key);
    else this.perKey.set(key, mine - 1);
  }
}
