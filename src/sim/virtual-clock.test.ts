import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webCryptoHasher } from '../platform/web-crypto.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { trackedHasher, VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('does not move on its own and runs timers in time order, ties in the order set', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimer(30, () => log.push(`c@${clock.now()}`));
    clock.setTimer(10, () => log.push(`a@${clock.now()}`));
    clock.setTimer(10, () => log.push(`b@${clock.now()}`));
    expect(clock.now()).toBe(0);
    await clock.advance(20);
    expect(log).toEqual(['a@10', 'b@10']);
    expect(clock.now()).toBe(20);
    await clock.advance(100);
    expect(log).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.now()).toBe(120);
  });

  it('runs posted tasks in order with timers, also those posted for the instant running', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const task = (name: string) => ({ run: () => log.push(`${name}@${clock.now()}`) });
    clock.setTimer(10, () => {
      log.push(`a@${clock.now()}`);
      clock.post(0, task('c'));
      clock.setTimer(0, () => log.push(`d@${clock.now()}`));
    });
    clock.post(10, task('b'));
    clock.post(5, task('first'));
    expect(clock.pendingTimers).toBe(3);
    await clock.runAll();
    expect(log).toEqual(['first@5', 'a@10', 'b@10', 'c@10', 'd@10']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancelled timers never run', async () => {
    const clock = new VirtualClock();
    let ran = false;
    clock.setTimer(5, () => (ran = true)).cancel();
    expect(clock.pendingTimers).toBe(0);
    await clock.runAll();
    expect(ran).toBe(false);
  });

  it('lets promise chains settle between timers', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimer(10, () => {
      void (async () => {
        await Promise.resolve();
        await null;
        log.push(`chain@${clock.now()}`);
        clock.setTimer(0, () => log.push(`after@${clock.now()}`));
      })();
    });
    clock.setTimer(11, () => log.push(`next@${clock.now()}`));
    await clock.advance(50);
    expect(log).toEqual(['chain@10', 'after@10', 'next@11']);
  });

  it('holds virtual time while tracked WebCrypto work is pending', async () => {
    const clock = new VirtualClock();
    const hasher = trackedHasher(webCryptoHasher, clock);
    const log: string[] = [];
    clock.setTimer(10, () => {
      void hasher.sha256(new TextEncoder().encode('abc')).then((d) => log.push(`digest@${clock.now()}:${toHex(d).slice(0, 8)}`));
    });
    clock.setTimer(11, () => log.push(`next@${clock.now()}`));
    await clock.advance(20);
    expect(log).toEqual(['digest@10:ba7816bf', 'next@11']);
  });

  it('hands tracked results over in the order tracked, not in the order the thread pool finishes them', async () => {
    // A large digest started first finishes last on WebCrypto's thread pool; the code awaiting the
    // digests must still see them in the order it asked, or a run would depend on machine load.
    const clock = new VirtualClock();
    const hasher = trackedHasher(webCryptoHasher, clock);
    const log: string[] = [];
    const big = new Uint8Array(32 << 20);
    clock.setTimer(10, () => {
      void hasher.sha256(big).then(() => log.push('big'));
      for (const name of ['a', 'b', 'c']) void hasher.sha256(new TextEncoder().encode(name)).then(() => log.push(name));
    });
    await clock.advance(20);
    expect(log).toEqual(['big', 'a', 'b', 'c']);
  });

  it('run(promise) drives timers until the promise settles', async () => {
    const clock = new VirtualClock();
    const p = new Promise<number>((resolve) => clock.setTimer(5000, () => resolve(clock.now())));
    await expect(clock.run(p)).resolves.toBe(5000);
    const never = new Promise(() => {});
    await expect(clock.run(never)).rejects.toThrow(/nothing left to run/);
    clock.setTimer(10_000, () => {});
    await expect(clock.run(never, 1000)).rejects.toThrow(/still pending after 1000 ms/);
  });

  it('run(promise) rethrows a rejection', async () => {
    const clock = new VirtualClock();
    const p = new Promise((_, reject) => clock.setTimer(1, () => reject(new Error('boom'))));
    await expect(clock.run(p)).rejects.toThrow('boom');
  });

  it('refuses nested runs', async () => {
    const clock = new VirtualClock();
    const outer = clock.advance(10);
    await expect(clock.advance(10)).rejects.toThrow(/already running/);
    await outer;
  });

  it('runs timers and posted tasks in (time, order set) order whatever is cancelled, and cancelled ones leave at once', async () => {
    // Half the timers at one busy instant (after the late cancels at 20) and more cancels than
    // timers, so that bucket is mostly cancelled and compacted (timer-queue.ts), in most runs, and
    // cancels after it compacted must find their timers at their new slots. Lengths drawn from the
    // whole range: fast-check's default size keeps arrays to a few dozen, which spread over 41
    // instants never compacted a bucket.
    const ms = fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 0, max: 40 }) }, { weight: 2, arbitrary: fc.constant(30) });
    const op = fc.oneof({ weight: 2, arbitrary: fc.record({ add: ms }) }, { weight: 1, arbitrary: fc.record({ post: ms }) }, { weight: 4, arbitrary: fc.record({ cancel: fc.nat() }) });
    const many = { numRuns: 300 };
    let runsThatCompacted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 100, maxLength: 400, size: 'max' }), fc.array(fc.nat(), { maxLength: 300, size: 'max' }), async (ops, lateCancels) => {
        const clock = new VirtualClock();
        const ran: number[] = [];
        // A posted task has no Timer (nothing can cancel it).
        const timers: { ms: number; timer?: { cancel(): void }; cancelled: boolean }[] = [];
        /** Cancel the k-th (mod their number) of the timers still pending due after `after`. */
        const cancel = (k: number, after = -1) => {
          const pending = timers.filter((t) => t.timer && !t.cancelled && t.ms > after);
          const t = pending[k % pending.length];
          if (!t) return;
          t.cancelled = true;
          t.timer!.cancel();
        };
        for (const o of ops) {
          const i = timers.length;
          if ('add' in o) timers.push({ ms: o.add, timer: clock.setTimer(o.add, () => ran.push(i)), cancelled: false });
          else if ('post' in o) {
            clock.post(o.post, { run: () => ran.push(i) });
            timers.push({ ms: o.post, cancelled: false });
          } else cancel(o.cancel);
        }
        // More cancels from a timer part-way through (of timers not yet due).
        clock.setTimer(20, () => lateCancels.forEach((k) => cancel(k, 20)));
        expect(clock.pendingTimers).toBe(timers.filter((t) => !t.cancelled).length + 1);
        await clock.runAll();
        expect(clock.pendingTimers).toBe(0);
        const expected = timers
          .map((t, i) => ({ ...t, i }))
          .filter((t) => !t.cancelled)
          .sort((a, b) => a.ms - b.ms || a.i - b.i)
          .map((t) => t.i);
        expect(ran).toEqual(expected);
        if (clock.bucketCompactions > 0) runsThatCompacted++;
      }),
      // A queue that loses work can spin in runAll, and shrinking arrays this long takes minutes: stop at 30 s.
      { ...many, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true },
    );
    // The property held with buckets compacted (about two runs in three), not only on small buckets.
    expect(runsThatCompacted).toBeGreaterThan(many.numRuns / 3);
  });

  it('matches a reference (time, order set) queue when running timers and posted tasks cancel others (also of their instant) and set or post new ones', async () => {
    // Each timer or posted task, when it runs, may cancel one timer (by creation index; a posted
    // task has no Timer, so naming one cancels nothing) and set or post one more (for the instant
    // running too: it joins that instant's end). Up to 300 at first (a quarter posted) over four
    // instants, often most of the timers cancelled up front or by earlier work, so buckets holding
    // posted tasks get compacted (lengths drawn from the whole range: fast-check's default size
    // would keep the arrays to a few dozen, too few for a bucket to be compacted).
    const item = fc.record({ ms: fc.integer({ min: 0, max: 3 }), post: fc.integer({ min: 0, max: 3 }).map((k) => k === 0) });
    const action = fc.record({ cancel: fc.option(fc.nat(), { nil: undefined }), add: fc.option(item, { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 300, size: 'max' }), fc.array(action, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 600, size: 'max' }), async (initial, actions, upfrontCancels) => {
        // The reference: a plain list searched for the smallest (at, seq).
        type Ref = { at: number; seq: number; post: boolean; cancelled: boolean; ran: boolean };
        const ref: Ref[] = [];
        const clock = new VirtualClock();
        // By creation index: the Timer of a timer, undefined for a posted task.
        const handles: ({ cancel(): void } | undefined)[] = [];
        const ran: number[] = [];
        let refNow = 0;
        const budget = { left: 200 };
        const add = ({ ms, post }: { ms: number; post: boolean }) => {
          const i = handles.length;
          const run = () => {
            ran.push(i);
            const a = actions[i % actions.length]!;
            if (a.cancel !== undefined) handles[a.cancel % handles.length]?.cancel();
            if (a.add !== undefined && budget.left-- > 0) add(a.add);
          };
          if (post) {
            handles.push(undefined);
            clock.post(ms, { run });
          } else handles.push(clock.setTimer(ms, run));
        };
        for (const x of initial) {
          ref.push({ at: x.ms, seq: ref.length, post: x.post, cancelled: false, ran: false });
          add(x);
        }
        for (const k of upfrontCancels) {
          handles[k % handles.length]?.cancel();
          const r = ref[k % ref.length]!;
          if (!r.post) r.cancelled = true;
        }
        expect(clock.pendingTimers).toBe(ref.filter((r) => !r.cancelled).length);
        await clock.runAll();
        // Replay the same actions on the reference.
        const expected: number[] = [];
        const refBudget = { left: 200 };
        for (;;) {
          let next: Ref | undefined;
          for (const r of ref) if (!r.cancelled && !r.ran && (!next || r.at < next.at || (r.at === next.at && r.seq < next.seq))) next = r;
          if (!next) break;
          next.ran = true;
          refNow = next.at;
          expected.push(next.seq);
          const a = actions[next.seq % actions.length]!;
          if (a.cancel !== undefined) {
            const t = ref[a.cancel % ref.length]!;
            if (!t.ran && !t.post) t.cancelled = true;
          }
          if (a.add !== undefined && refBudget.left-- > 0) ref.push({ at: refNow + a.add.ms, seq: ref.length, post: a.add.post, cancelled: false, ran: false });
        }
        expect(ran).toEqual(expected);
        expect(clock.pendingTimers).toBe(0);
        expect(clock.timersRun).toBe(expected.length);
      }),
      // A passing run takes about a second. Shrinking arrays this long takes minutes, and a queue
      // that loses work can spin in runAll forever: stop at 30 s and fail with what was found.
      { numRuns: 300, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true },
    );
  });

  it('keeps pendingTimers exact and runs the survivors in order when most timers of an instant are cancelled', async () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    const timers = Array.from({ length: 1000 }, (_, i) => clock.setTimer(5, () => ran.push(i)));
    timers.forEach((t, i) => i % 10 !== 3 && t.cancel());
    timers[3]!.cancel(); // twice: no effect the second time
    timers[3]!.cancel();
    expect(clock.pendingTimers).toBe(99);
    clock.setTimer(5, () => ran.push(-1));
    await clock.runAll();
    expect(ran).toEqual([...Array.from({ length: 99 }, (_, k) => 10 * (k + 1) + 3), -1]);
    expect(clock.pendingTimers).toBe(0);
  });
});
