import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { addressKey, RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refills at burst per window', () => {
    const clock = new ManualClock();
    const l = new RateLimiter({ clock }, { burst: 2, windowMs: 1000 });
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a')).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(l.take('b').allowed).toBe(true);
    clock.advance(500);
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
  });

  it('bounds memory, forgetting full buckets first', () => {
    const clock = new ManualClock();
    const l = new RateLimiter({ clock }, { burst: 1, windowMs: 1000, maxAddresses: 3 });
    for (const a of ['1', '2', '3']) l.take(a);
    clock.advance(1000);
    l.take('4');
    expect(l.trackedAddresses).toBeLessThanOrEqual(3);
  });

  it('limits IPv6 per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2::ffff'));
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('[fe80::1%eth0]')).toBe('fe80:0:0:0::/64');
  });
});
