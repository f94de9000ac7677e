import { describe, expect, it } from 'vitest';
import { always, isPending, proceed, type MaybePromise } from './maybe-promise.js';

/** Steps as methods, as the transport passes them: each records what it was called with and on what. */
class Steps {
  readonly log: string[] = [];
  given(arg: MaybePromise<number> | Error): MaybePromise<number> {
    this.log.push('step');
    if (arg instanceof Error) throw arg;
    return arg;
  }
  value(_arg: unknown, v: number): string {
    this.log.push(`value ${v}`);
    return `value ${v}`;
  }
  error(_arg: unknown, e: unknown): string {
    this.log.push(`error ${(e as Error).message}`);
    return `error ${(e as Error).message}`;
  }
  last(): void {
    this.log.push('last');
  }
}

describe('MaybePromise', () => {
  it('isPending: a promise (or thenable) is still to come, a value is at hand', () => {
    expect(isPending(Promise.resolve(1))).toBe(true);
    expect(isPending({ then: () => undefined } as unknown as Promise<number>)).toBe(true);
    expect(isPending(1)).toBe(false);
    expect(isPending(undefined)).toBe(false);
    expect(isPending(null)).toBe(false);
  });

  it('proceed: onValue or onError at once after a value or a throw, on `self`, with `arg`', () => {
    const s = new Steps();
    expect(proceed(s, 7, s.given, s.value, s.error)).toBe('value 7');
    expect(proceed(s, new Error('sync'), s.given, s.value, s.error)).toBe('error sync');
    expect(s.log).toEqual(['step', 'value 7', 'step', 'error sync']);
  });

  it('proceed: onValue or onError after the settlement of a promise', async () => {
    const s = new Steps();
    const later = proceed(s, Promise.resolve(8), s.given, s.value, s.error);
    expect(s.log).toEqual(['step']);
    await expect(later).resolves.toBe('value 8');
    await expect(proceed(s, Promise.reject(new Error('async')), s.given, s.value, s.error)).resolves.toBe('error async');
    expect(s.log).toEqual(['step', 'value 8', 'step', 'error async']);
  });

  it('proceed: what onValue throws is not given to onError', async () => {
    const s = new Steps();
    const fails = () => {
      throw new Error('in onValue');
    };
    expect(() => proceed(s, 1, s.given, fails, s.error)).toThrow('in onValue');
    await expect(proceed(s, Promise.resolve(1), s.given, fails, s.error)).rejects.toThrow('in onValue');
    expect(s.log).toEqual(['step', 'step']);
  });

  it('always: `last` runs at once after a value or a throw, after the settlement of a promise', async () => {
    const s = new Steps();
    expect(always(s, 7, s.given, s.last)).toBe(7);
    expect(s.log).toEqual(['step', 'last']);
    expect(() => always(s, new Error('sync'), s.given, s.last)).toThrow('sync');
    expect(s.log.filter((l) => l === 'last')).toHaveLength(2);
    const later = always(s, Promise.resolve(8), s.given, s.last);
    expect(s.log.filter((l) => l === 'last')).toHaveLength(2);
    await expect(later).resolves.toBe(8);
    await expect(always(s, Promise.reject(new Error('async')), s.given, s.last)).rejects.toThrow('async');
    expect(s.log.filter((l) => l === 'last')).toHaveLength(4);
  });
});
