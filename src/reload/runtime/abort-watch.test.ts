import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { unwatchAbort, watchAbort, type AbortWatcher } from './abort-watch.js';

const watcher = (log: number[], n: number): AbortWatcher => ({ handleAbort: () => log.push(n) });

describe('watchAbort', () => {
  it('holds one listener on a signal shared by many operations, and tells each of them once', () => {
    const c = new AbortController();
    const log: number[] = [];
    const ws = Array.from({ length: 50 }, (_, i) => watcher(log, i));
    for (const w of ws) watchAbort(c.signal, w);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    unwatchAbort(c.signal, ws[7]!);
    c.abort();
    c.abort();
    expect(log).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 7));
  });

  it('lets go of the signal when the last operation stops watching', () => {
    const c = new AbortController();
    const log: number[] = [];
    const a = watcher(log, 1);
    const b = watcher(log, 2);
    watchAbort(c.signal, a);
    watchAbort(c.signal, b);
    unwatchAbort(c.signal, a);
    unwatchAbort(c.signal, b);
    unwatchAbort(c.signal, b);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    c.abort();
    expect(log).toEqual([]);
    // Watching again after all stopped works.
    const d = new AbortController();
    watchAbort(d.signal, a);
    d.abort();
    expect(log).toEqual([1]);
  });
});
