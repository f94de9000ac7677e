import { describe, expect, it } from 'vitest';
import { AbortError } from './components.js';
import { SharedAttempt } from './shared-attempt.js';

/** Work that finishes when told to, and says whether its own signal was aborted. */
function work() {
  let finish!: (v: string) => void;
  let signal!: AbortSignal;
  let abandoned = 0;
  const attempt = new SharedAttempt<string>(
    (s) => {
      signal = s;
      return new Promise<string>((resolve, reject) => {
        finish = resolve;
        s.addEventListener('abort', () => reject(new AbortError()), { once: true });
      });
    },
    () => abandoned++,
  );
  return { attempt, finish: (v: string) => finish(v), signal: () => signal, abandoned: () => abandoned };
}

describe('SharedAttempt', () => {
  it('a caller that gives up rejects alone: the work goes on for the others, under its own signal', async () => {
    const w = work();
    const first = new AbortController();
    const a = w.attempt.join(first.signal).catch((e: unknown) => e);
    const b = w.attempt.join(new AbortController().signal);
    first.abort();
    expect(await a).toBeInstanceOf(AbortError);
    expect(w.signal().aborted).toBe(false);
    w.finish('done');
    await expect(b).resolves.toBe('done');
    expect(w.abandoned()).toBe(0);
  });

  it('the work is aborted, and its owner told, once every caller has given up', async () => {
    const w = work();
    const [x, y] = [new AbortController(), new AbortController()];
    const a = w.attempt.join(x.signal).catch((e: unknown) => e);
    const b = w.attempt.join(y.signal).catch((e: unknown) => e);
    x.abort();
    expect(w.signal().aborted).toBe(false);
    y.abort();
    expect(await a).toBeInstanceOf(AbortError);
    expect(await b).toBeInstanceOf(AbortError);
    expect(w.signal().aborted).toBe(true);
    expect(w.abandoned()).toBe(1);
  });

  it('a caller without a signal never gives up: the work is not aborted when the others do', async () => {
    const w = work();
    const x = new AbortController();
    void w.attempt.join(x.signal).catch(() => undefined);
    const plain = w.attempt.join();
    x.abort();
    expect(w.signal().aborted).toBe(false);
    w.finish('kept');
    await expect(plain).resolves.toBe('kept');
  });

  it('a signal already aborted rejects at once and does not count', async () => {
    const w = work();
    const gone = new AbortController();
    gone.abort();
    await expect(w.attempt.join(gone.signal)).rejects.toBeInstanceOf(AbortError);
    const b = w.attempt.join(new AbortController().signal);
    w.finish('fine');
    await expect(b).resolves.toBe('fine');
    expect(w.abandoned()).toBe(0);
  });
});
