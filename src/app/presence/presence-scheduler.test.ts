import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { createPresenceScheduler, type PresenceInit } from './presence-scheduler.js';

/** A lookup the test answers by hand: every call is recorded with its resolver. */
function fakeLookup() {
  const calls: { aor: string; at: number; signal: AbortSignal; resolve(online: boolean): void; reject(e: Error): void }[] = [];
  let clock: ManualClock | undefined;
  return {
    calls,
    bind(c: ManualClock) {
      clock = c;
    },
    lookup: (aor: string, options: { signal: AbortSignal }) =>
      new Promise<boolean>((resolve, reject) => calls.push({ aor, at: clock!.now(), signal: options.signal, resolve, reject })),
    /** Calls still unanswered. */
    open: () => calls.filter((c) => !(c as { done?: boolean }).done),
    answer(aor: string, online: boolean | Error) {
      const c = calls.find((x) => x.aor === aor && !(x as { done?: boolean }).done);
      if (!c) throw new Error(`no open lookup of ${aor}`);
      (c as { done?: boolean }).done = true;
      if (online instanceof Error) c.reject(online);
      else c.resolve(online);
    },
  };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

function setup(init: PresenceInit = {}, randomValue = 0.5) {
  const clock = new ManualClock(0);
  const fake = fakeLookup();
  fake.bind(clock);
  const s = createPresenceScheduler({ clock, random: { float: () => randomValue }, lookup: fake.lookup }, { minIntervalMs: 0, ...init });
  return { clock, fake, s };
}

describe('PresenceScheduler', () => {
  it('never has more than maxInFlight lookups running, started minIntervalMs apart (no lookup storm)', async () => {
    const { clock, fake, s } = setup({ maxInFlight: 3, minIntervalMs: 250 });
    const aors = Array.from({ length: 20 }, (_, i) => `sip:u${i}@x`);
    s.setContacts(aors);
    expect(fake.calls).toHaveLength(1);
    clock.advance(249);
    expect(fake.calls).toHaveLength(1);
    clock.advance(1);
    expect(fake.calls).toHaveLength(2);
    clock.advance(250);
    expect(s.inFlight).toBe(3);
    clock.advance(1000);
    expect(s.inFlight).toBe(3);
    let peak = 0;
    for (let round = 0; round < 100 && new Set(fake.calls.map((c) => c.aor)).size < 20; round++) {
      const open = fake.open();
      if (open.length > 0) fake.answer(open[0]!.aor, true);
      await flush();
      peak = Math.max(peak, s.inFlight);
      clock.advance(100);
      peak = Math.max(peak, s.inFlight);
    }
    expect(peak).toBe(3);
    expect(new Set(fake.calls.map((c) => c.aor)).size).toBe(20);
    const gaps = fake.calls.slice(1).map((c, i) => c.at - fake.calls[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
  });

  it('refresh(aor) is not held back by the spacing', () => {
    const { fake, s } = setup({ maxInFlight: 3, minIntervalMs: 10_000 });
    s.setContacts(['sip:a@x', 'sip:b@x']);
    expect(fake.calls).toHaveLength(1);
    s.refresh('sip:b@x');
    expect(fake.calls.map((c) => c.aor)).toEqual(['sip:a@x', 'sip:b@x']);
  });

  it.each([
    // [random, expected delay of an online contact with refresh 60 s and jitter 0.2]
    [0, 48_000],
    [0.5, 60_000],
    [0.999999, 72_000],
  ])('refreshes an online contact after refreshMs ± jitter (random %s → %s ms)', async (random, delay) => {
    const { clock, fake, s } = setup({ refreshMs: 60_000, jitter: 0.2 }, random);
    s.setContacts(['sip:bob@x']);
    fake.answer('sip:bob@x', true);
    await flush();
    expect(s.get('sip:bob@x')).toMatchObject({ state: 'online', checking: false, checkedAt: 0 });
    clock.advance(delay - 1);
    expect(fake.calls).toHaveLength(1);
    clock.advance(1);
    expect(fake.calls).toHaveLength(2);
  });

  it('backs off an offline contact, doubling up to maxBackoffMs, and resets when it comes online', async () => {
    const { clock, fake, s } = setup({ refreshMs: 60_000, jitter: 0, maxBackoffMs: 300_000 });
    s.setContacts(['sip:bob@x']);
    const gaps: number[] = [];
    let last = 0;
    for (const online of [false, false, false, false, false, true, true]) {
      fake.answer('sip:bob@x', online);
      await flush();
      expect(s.get('sip:bob@x')?.state).toBe(online ? 'online' : 'offline');
      const before = fake.calls.length;
      while (fake.calls.length === before) clock.advance(1000);
      gaps.push(clock.now() - last);
      last = clock.now();
    }
    expect(gaps).toEqual([60_000, 120_000, 240_000, 300_000, 300_000, 60_000, 60_000]);
  });

  it('a failed lookup keeps the last known state, marks it failed and backs off', async () => {
    const { clock, fake, s } = setup({ refreshMs: 1000, jitter: 0 });
    s.setContacts(['sip:bob@x']);
    fake.answer('sip:bob@x', true);
    await flush();
    clock.advance(1000);
    fake.answer('sip:bob@x', new Error('overlay did not answer'));
    await flush();
    expect(s.get('sip:bob@x')).toMatchObject({ state: 'online', failed: true });
    clock.advance(999);
    expect(fake.calls).toHaveLength(2);
    clock.advance(1);
    expect(fake.calls).toHaveLength(3);
  });

  it('refresh(aor) jumps the queue but stays within the bound', async () => {
    const { fake, s } = setup({ maxInFlight: 1 });
    s.setContacts(['sip:a@x', 'sip:b@x', 'sip:c@x', 'sip:d@x']);
    expect(fake.calls.map((c) => c.aor)).toEqual(['sip:a@x']);
    s.refresh('sip:d@x');
    expect(s.inFlight).toBe(1);
    fake.answer('sip:a@x', true);
    await flush();
    expect(fake.calls.map((c) => c.aor)).toEqual(['sip:a@x', 'sip:d@x']);
  });

  it('refresh(aor) during a lookup looks again right after it', async () => {
    const { fake, s } = setup({ refreshMs: 60_000 });
    s.setContacts(['sip:bob@x']);
    s.refresh('sip:bob@x');
    expect(fake.calls).toHaveLength(1);
    fake.answer('sip:bob@x', false);
    await flush();
    expect(fake.calls).toHaveLength(2);
  });

  it('abandons a lookup past timeoutMs and frees its slot', async () => {
    const { clock, fake, s } = setup({ maxInFlight: 1, timeoutMs: 5000 });
    s.setContacts(['sip:a@x', 'sip:b@x']);
    clock.advance(5000);
    expect(fake.calls[0]!.signal.aborted).toBe(true);
    expect(s.get('sip:a@x')).toMatchObject({ state: 'unknown', failed: true, checking: false });
    expect(fake.calls.map((c) => c.aor)).toEqual(['sip:a@x', 'sip:b@x']);
    fake.answer('sip:a@x', true); // too late: ignored
    await flush();
    expect(s.get('sip:a@x')?.state).toBe('unknown');
  });

  it('a removed contact is aborted and forgotten; snapshots are new objects on change', async () => {
    const { fake, s } = setup();
    let changes = 0;
    s.subscribe(() => changes++);
    s.setContacts(['sip:a@x', 'sip:b@x']);
    const before = s.getSnapshot();
    s.setContacts(['sip:b@x']);
    expect(fake.calls[0]!.signal.aborted).toBe(true);
    expect(s.getSnapshot()).not.toBe(before);
    expect([...s.getSnapshot().keys()]).toEqual(['sip:b@x']);
    fake.answer('sip:a@x', true);
    await flush();
    expect(s.get('sip:a@x')).toBeUndefined();
    expect(changes).toBeGreaterThan(0);
  });

  it('close() cancels the timer and every lookup', async () => {
    const { clock, fake, s } = setup({ refreshMs: 1000 });
    s.setContacts(['sip:a@x']);
    fake.answer('sip:a@x', true);
    await flush();
    s.close();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    expect(fake.calls).toHaveLength(1);
  });
});
