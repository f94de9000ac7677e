import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { RequestLifetimes } from './request-lifetime.js';

describe('RequestLifetimes (one timer for the deadlines of the requests in progress, §6.2.1)', () => {
  it('tells of each request at its own deadline, in order, and not of those removed before', () => {
    const clock = new ManualClock(0);
    const expired: string[] = [];
    const lifetimes = new RequestLifetimes<{ deadline: number; name: string }>(clock, (e) => expired.push(`${e.name}@${clock.now()}`));
    const a = { deadline: 100, name: 'a' };
    const b = { deadline: 150, name: 'b' };
    const c = { deadline: 170, name: 'c' };
    lifetimes.add(a);
    clock.advance(50);
    lifetimes.add(b);
    clock.advance(20);
    lifetimes.add(c);
    lifetimes.remove(a);
    clock.advance(30); // 100: a's deadline, but a is done
    expect(expired).toEqual([]);
    clock.advance(49);
    expect(expired).toEqual([]);
    clock.advance(1); // 150
    expect(expired).toEqual(['b@150']);
    expect(lifetimes.size).toBe(1);
    clock.advance(20); // 170
    expect(expired).toEqual(['b@150', 'c@170']);
    expect(lifetimes.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps a single timer however many requests are in progress, and clear() stops it', () => {
    const clock = new ManualClock(0);
    const lifetimes = new RequestLifetimes<{ deadline: number }>(clock, () => {});
    for (let i = 0; i < 100; i++) lifetimes.add({ deadline: 15_000 + i });
    expect(clock.pendingTimers).toBe(1);
    lifetimes.clear();
    expect(clock.pendingTimers).toBe(0);
    expect(lifetimes.size).toBe(0);
  });

  it('arms again for a request added after the timer went idle', () => {
    const clock = new ManualClock(0);
    const expired: number[] = [];
    const lifetimes = new RequestLifetimes<{ deadline: number }>(clock, (e) => expired.push(e.deadline));
    lifetimes.add({ deadline: 10 });
    clock.advance(10);
    lifetimes.add({ deadline: 25 });
    clock.advance(15);
    expect(expired).toEqual([10, 25]);
  });

  it('removing a request twice, or one never added, changes nothing', () => {
    const clock = new ManualClock(0);
    const expired: number[] = [];
    const lifetimes = new RequestLifetimes<{ deadline: number }>(clock, (e) => expired.push(e.deadline));
    const a = { deadline: 10 };
    const b = { deadline: 20 };
    lifetimes.add(a);
    lifetimes.add(b);
    lifetimes.remove(a);
    lifetimes.remove(a);
    lifetimes.remove({ deadline: 5 });
    expect(lifetimes.size).toBe(1);
    clock.advance(20);
    expect(expired).toEqual([20]);
  });
});
