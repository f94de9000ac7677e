/**
 * SerialQueue: each piece of work starts only once the one before it has settled, and a failure
 * (a rejection, or a throw before the work's promise) is that piece's own answer, never the queue's.
 */
import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

type Outcome = 'resolve' | 'reject' | 'throw';

interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Work `i` that logs its start, waits for its gate, logs its end, then answers as `outcome` says. */
function work(i: number, outcome: Outcome, g: Gate, log: string[]): () => Promise<string> {
  return () => {
    log.push(`start ${i}`);
    if (outcome === 'throw') {
      log.push(`end ${i}`);
      throw new Error(`threw ${i}`);
    }
    return g.opened.then(() => {
      log.push(`end ${i}`);
      if (outcome === 'reject') throw new Error(`rejected ${i}`);
      return `done ${i}`;
    });
  };
}

describe('SerialQueue', () => {
  it.each<{ readonly name: string; readonly outcomes: readonly Outcome[] }>([
    { name: 'all fulfilled', outcomes: ['resolve', 'resolve', 'resolve'] },
    { name: 'a rejection stops nothing after it', outcomes: ['reject', 'resolve', 'reject', 'resolve'] },
    { name: 'a throw before the promise rejects that run alone', outcomes: ['throw', 'resolve', 'throw'] },
    { name: 'one alone', outcomes: ['resolve'] },
  ])('$name: each runs after the one before settled, in order, and answers as its own work did', async ({ outcomes }) => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const gates = outcomes.map(() => gate());
    const runs = outcomes.map((outcome, i) => queue.run(work(i, outcome, gates[i]!, log)));
    // Opened last to first: were they not queued, the later ones would end first.
    for (const g of [...gates].reverse()) g.open();
    const answers = await Promise.allSettled(runs);
    expect(log).toEqual(outcomes.flatMap((_, i) => [`start ${i}`, `end ${i}`]));
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message))).toEqual(
      outcomes.map((outcome, i) => (outcome === 'resolve' ? `done ${i}` : `${outcome === 'throw' ? 'threw' : 'rejected'} ${i}`)),
    );
    await expect(queue.settled()).resolves.toBeUndefined();
  });

  it('settled waits for the work queued so far, even a rejected last one, and not for work queued after', async () => {
    const queue = new SerialQueue();
    await expect(queue.settled()).resolves.toBeUndefined();
    const first = gate();
    const failing = queue.run(() => first.opened.then(() => Promise.reject(new Error('no'))));
    failing.catch(() => undefined);
    let settled = false;
    const waited = queue.settled().then(() => (settled = true));
    const later = gate();
    void queue.run(() => later.opened);
    await Promise.resolve();
    expect(settled).toBe(false);
    first.open();
    await waited;
    expect(settled).toBe(true);
    later.open();
  });
});
