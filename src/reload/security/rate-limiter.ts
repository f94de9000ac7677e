/**
 * A per-address rate limit (the enrollment server's workshop mode: "per-address rate limit"): a
 * token bucket per client address holding `burst` requests, refilled at `burst` per `windowMs`,
 * on the injected monotonic Clock. IPv6 clients are limited per /64 (one host commonly holds many
 * addresses of its /64), IPv4-mapped IPv6 addresses as IPv4. Memory is bounded: full buckets are
 * forgotten first, and beyond `maxAddresses` the least recently seen.
 */
import type { Clock } from '../runtime/components.js';

export interface RateLimitInit {
  /** Requests an address may make at once. */
  readonly burst: number;
  /** Time to refill a whole burst, ms. */
  readonly windowMs: number;
  /** Addresses tracked at most (default 10 000). */
  readonly maxAddresses?: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly deps: { readonly clock: Clock },
    private readonly init: RateLimitInit,
  ) {
    if (!(init.burst >= 1) || !(init.windowMs > 0)) throw new RangeError('a rate limit needs burst ≥ 1 and windowMs > 0');
  }

  /** Take one request's token for `address`. */
  take(address: string): RateDecision {
    const key = addressKey(address);
    const now = this.deps.clock.now();
    const rate = this.init.burst / this.init.windowMs;
    const b = this.buckets.get(key) ?? { tokens: this.init.burst, at: now };
    b.tokens = Math.min(this.init.burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    this.prune(now, rate);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - b.tokens) / rate) };
  }

  get trackedAddresses(): number {
    return this.buckets.size;
  }

  private prune(now: number, rate: number): void {
    const max = this.init.maxAddresses ?? 10_000;
    if (this.buckets.size <= max) return;
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * rate >= this.init.burst) this.buckets.delete(k);
    while (this.buckets.size > max) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }
}

/** The key an address is limited under: IPv4 as is, IPv6 by its /64. */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(':')) return a;
  const [head = '', tail] = a.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}
