import { describe, expect, it } from 'vitest';
import { always, isPending } from './maybe-promise.js';

describe('MaybePromise', () => {
  it('isPending: a promise (or thenable) is still to come, a value is at hand', () => {
    expect(isPending(Promise.resolve(1))).toBe(true);
    expect(isPending({ then: () => undefined } as unknown as Promise<number>)).toBe(true);
    expect(isPending(1)).toBe(false);
    expect(isPending(undefined)).toBe(false);
    expect(isPending(null)).toBe(false);
  });

  it('always: `last` runs at once after a value or a throw, after the settlement of a promise', async () => {
    const log: string[] = [];
    const last = () => log.push('last');
    expect(always(() => 7, last)).toBe(7);
    expect(log).toEqual(['last']);
    expect(() =>
      always(() => {
        throw new Error('sync');
      }, last),
    ).toThrow('sync');
    expect(log).toEqual(['last', 'last']);
    const later = always(() => Promise.resolve(8), last);
    expect(log).toHaveLength(2);
    await expect(later).resolves.toBe(8);
    await expect(always(() => Promise.reject(new Error('async')), last)).rejects.toThrow('async');
    expect(log).toHaveLength(4);
  });
});
