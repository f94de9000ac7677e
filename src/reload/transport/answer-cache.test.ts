import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { encodeWith } from '../wire/codec/writer.js';
import { slabKeptBy } from '../wire/testing/slab-retention.js';
import { AnswerCache, MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';

describe('AnswerCache', () => {
  it('answers a retransmission within the request lifetime, not after it (§6.2.1)', () => {
    const cache = new AnswerCache(16);
    cache.answered('1/a', 0, Uint8Array.of(7));
    expect(cache.lookup('1/a', MAX_REQUEST_LIFETIME_MS - 1)).toMatchObject({ state: 'answered', payload: Uint8Array.of(7) });
    expect(cache.lookup('1/a', MAX_REQUEST_LIFETIME_MS)).toBeUndefined();
  });

  it('keeps an answer in bytes of its own, not a view of the byte slab its encoding came from', async () => {
    const cache = new AnswerCache(16);
    expect(await slabKeptBy(() => cache.answered('1/a', 0, encodeWith((w) => w.u32(7))))).toBe(false);
    expect(cache.lookup('1/a', 0)).toMatchObject({ state: 'answered', payload: Uint8Array.of(0, 0, 0, 7) });
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new AnswerCache(2);
    cache.begin('1/a', 0);
    cache.begin('2/a', 1);
    cache.begin('3/a', 2);
    expect(cache.size).toBe(2);
    expect(cache.lookup('1/a', 2)).toBeUndefined();
    expect(cache.lookup('3/a', 2)).toMatchObject({ state: 'in-progress' });
  });

  it('with a clock, lets go of expired answers on an idle peer (no new request needed)', () => {
    const clock = new ManualClock(0);
    const cache = new AnswerCache(1024, MAX_REQUEST_LIFETIME_MS, clock);
    cache.answered('1/a', clock.now(), new Uint8Array(100));
    clock.advance(1000);
    cache.answered('2/a', clock.now(), new Uint8Array(100));
    clock.advance(MAX_REQUEST_LIFETIME_MS - 1000);
    expect(cache.size).toBe(1);
    clock.advance(MAX_REQUEST_LIFETIME_MS);
    expect(cache.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('with a clock, keeps at most maxEntries too, dropping the oldest', () => {
    const clock = new ManualClock(0);
    const cache = new AnswerCache(2, MAX_REQUEST_LIFETIME_MS, clock);
    cache.begin('1/a', 0);
    cache.answered('2/a', 1, Uint8Array.of(2));
    cache.answered('1/a', 2, Uint8Array.of(1));
    cache.begin('3/a', 3);
    expect(cache.size).toBe(2);
    expect(cache.lookup('2/a', 3)).toBeUndefined();
    expect(cache.lookup('1/a', 3)).toMatchObject({ state: 'answered', payload: Uint8Array.of(1) });
  });

  it('without a clock, expired entries wait for the next insertion', () => {
    const cache = new AnswerCache(1024);
    cache.answered('1/a', 0, Uint8Array.of(1));
    expect(cache.size).toBe(1);
    cache.begin('2/a', MAX_REQUEST_LIFETIME_MS);
    expect(cache.size).toBe(1);
  });

  it('clear() drops everything and stops the sweep', () => {
    const clock = new ManualClock(0);
    const cache = new AnswerCache(1024, MAX_REQUEST_LIFETIME_MS, clock);
    cache.begin('1/a', 0);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
