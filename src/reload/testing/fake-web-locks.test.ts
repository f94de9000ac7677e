/**
 * The tests' Web Locks (fake-web-locks.ts) behave as the browser's LockManager in what the code
 * relies on: one holder per name, waiters in order, `ifAvailable`, a waiter's `signal`, and a lock
 * let go when the value its callback returned settles.
 */
import { describe, expect, it } from 'vitest';
import { FakeWebLocks } from './fake-web-locks.js';

describe('FakeWebLocks', () => {
  it('lets go of a lock whose callback returned a value that is not a promise at once, and resolves the request with it', async () => {
    const tab = new FakeWebLocks().tab('a');
    expect(await tab.request('n', { ifAvailable: true }, () => undefined)).toBeUndefined();
    expect(await tab.request('n', { ifAvailable: true }, (lock) => lock?.name)).toBe('n');
  });

  it('holds a lock until the promise its callback returned settles, rejected too; ifAvailable gets null meanwhile', async () => {
    const locks = new FakeWebLocks();
    let fail = (_: Error): void => {};
    const held = locks.tab('a').request('n', () => new Promise<void>((_, reject) => (fail = reject)));
    await Promise.resolve();
    expect(await locks.tab('b').request('n', { ifAvailable: true }, (lock) => lock)).toBeNull();
    expect(locks.names()).toEqual(['n']);
    fail(new Error('gone'));
    await expect(held).rejects.toThrow('gone');
    expect(await locks.tab('b').request('n', { ifAvailable: true }, (lock) => lock?.name)).toBe('n');
  });

  it('grants waiters one at a time in order of request, and drops a closed tab’s locks and requests', async () => {
    const locks = new FakeWebLocks();
    const order: string[] = [];
    let leave = (): void => {};
    const first = locks.tab('a').request('n', async () => {
      order.push('a');
      await new Promise<void>((resolve) => (leave = resolve));
    });
    void locks.tab('gone').request('n', async () => order.push('gone'));
    const last = locks.tab('c').request('n', async () => order.push('c'));
    await Promise.resolve();
    locks.closeTab('gone');
    leave();
    await Promise.all([first, last]);
    expect(order).toEqual(['a', 'c']);
    expect(locks.requested).toEqual(['n', 'n', 'n']);
    expect(locks.names()).toEqual([]);
  });

  it('a waiting request whose signal aborts leaves the queue, rejected with the reason; the next waiter is granted', async () => {
    const locks = new FakeWebLocks();
    const order: string[] = [];
    let leave = (): void => {};
    const first = locks.tab('a').request('n', () => new Promise<void>((resolve) => (leave = resolve)));
    const abort = new AbortController();
    const given = locks.tab('b').request('n', { signal: abort.signal }, async () => order.push('b'));
    const last = locks.tab('c').request('n', async () => order.push('c'));
    await Promise.resolve();
    abort.abort(new Error('given up'));
    await expect(given).rejects.toThrow('given up');
    leave();
    await Promise.all([first, last]);
    expect(order).toEqual(['c']);
    await expect(locks.request('n', { signal: AbortSignal.abort(new Error('too late')) }, () => 1)).rejects.toThrow('too late');
  });

  it('a request with both a signal and ifAvailable is refused (NotSupportedError), held name or not, its callback never called', async () => {
    const locks = new FakeWebLocks();
    const called: Array<string | null> = [];
    const note = (lock: { name: string } | null) => void called.push(lock?.name ?? null);
    const notSupported = { name: 'NotSupportedError' };
    await expect(locks.tab('a').request('n', { ifAvailable: true, signal: new AbortController().signal }, note)).rejects.toMatchObject(notSupported);
    let leave = (): void => {};
    const held = locks.tab('a').request('n', () => new Promise<void>((resolve) => (leave = resolve)));
    await Promise.resolve();
    await expect(locks.tab('b').request('n', { ifAvailable: true, signal: AbortSignal.abort(new Error('too late')) }, note)).rejects.toMatchObject(notSupported);
    leave();
    await held;
    expect(called).toEqual([]);
  });
});
