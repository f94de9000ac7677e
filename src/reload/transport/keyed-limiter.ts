/**
 * Counts of work in progress by key (a link: the neighbour a message came from), under a bound on
 * the total and one on each key, so that a flood from one link cannot take all of it. Message
 * transport bounds with it the received requests being processed (a request beyond the bounds is
 * dropped before any work is done for it; its sender retransmits, RFC 6940 §6.2.1), the
 * certificate lookups running and the messages waiting for each lookup (certificate-lookups.ts).
 */
export class KeyedLimiter {
  private total = 0;
  private readonly perKey = new Map<string, number>();
  /** Admissions refused so far. */
  dropped = 0;

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerKey: number,
  ) {}

  get inProgress(): number {
    return this.total;
  }

  /** How many of `key`'s are in progress. */
  count(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  /** The keys with something in progress, and how much each. */
  entries(): IterableIterator<[string, number]> {
    return this.perKey.entries();
  }

  /** Count one more of `key`; false (and counted as dropped) when over a bound. */
  admit(key: string): boolean {
    const mine = this.count(key);
    if (this.total >= this.maxTotal || mine >= this.maxPerKey) {
      this.dropped++;
      return false;
    }
    this.total++;
    this.perKey.set(key, mine + 1);
    return true;
  }

  /** One of `key`'s is done. */
  release(key: string): void {
    const mine = this.perKey.get(key);
    if (mine === undefined) return;
    this.total--;
    if (mine <= 1) this.perKey.delete(key);
    else this.perKey.set(key, mine - 1);
  }
}
