import { describe, expect, it } from 'vitest';
import { CALL_WAITING, RING, RINGBACK, Ringtone, type RingClock, type ToneOutput } from './ringtone.js';

/** A virtual clock: timers fire when `advance` passes them. */
function virtualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; live: boolean }[] = [];
  const clock: RingClock = {
    setTimer(ms, fn) {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => (t.live = false) };
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      now = next.at;
      next.live = false;
      next.fn();
    }
    now = end;
    timers = timers.filter((t) => t.live);
  };
  return { clock, advance, pending: () => timers.filter((t) => t.live).length, now: () => now };
}

/** Records when the sound goes on and off. */
function recorder(at: () => number) {
  const log: string[] = [];
  const out: ToneOutput = { on: (f) => log.push(`${at()} on ${f.join('+')}`), off: () => log.push(`${at()} off`) };
  return { out, log };
}

describe('Ringtone', () => {
  it('plays the ring cadence (400 on, 200 off, 400 on, 2000 off) and loops', () => {
    const c = virtualClock();
    const r = recorder(c.now);
    const ring = new Ringtone(c.clock, r.out);
    ring.start();
    expect(ring.state).toBe('on');
    c.advance(3000 + 400);
    expect(r.log).toEqual(['0 on 400+450', '400 off', '600 on 400+450', '1000 off', '3000 on 400+450', '3400 off']);
    expect(ring.state).toBe('off');
  });

  it('stop silences at once when sounding and leaves no timer behind', () => {
    const c = virtualClock();
    const r = recorder(c.now);
    const ring = new Ringtone(c.clock, r.out);
    ring.start();
    c.advance(100);
    ring.stop();
    expect(r.log).toEqual(['0 on 400+450', '100 off']);
    expect(ring.state).toBe('idle');
    c.advance(10_000);
    expect(r.log).toHaveLength(2);
    expect(c.pending()).toBe(0);
  });

  it('stop during a pause does not switch the (already silent) sound off again', () => {
    const c = virtualClock();
    const r = recorder(c.now);
    const ring = new Ringtone(c.clock, r.out);
    ring.start();
    c.advance(500);
    ring.stop();
    expect(r.log).toEqual(['0 on 400+450', '400 off']);
    ring.stop();
    expect(ring.state).toBe('idle');
  });

  it('start with the same pattern while ringing does not restart it; another pattern switches', () => {
    const c = virtualClock();
    const r = recorder(c.now);
    const ring = new Ringtone(c.clock, r.out);
    ring.start(RING);
    c.advance(100);
    ring.start(RING);
    expect(r.log).toEqual(['0 on 400+450']);
    ring.start(CALL_WAITING);
    expect(ring.playing).toBe(CALL_WAITING);
    expect(r.log).toEqual(['0 on 400+450', '100 off', '100 on 440']);
    c.advance(150);
    expect(r.log.at(-1)).toBe('250 off');
    expect(c.pending()).toBe(1);
  });

  it('can ring again after stopping', () => {
    const c = virtualClock();
    const r = recorder(c.now);
    const ring = new Ringtone(c.clock, r.out);
    ring.start();
    ring.stop();
    ring.start();
    expect(ring.state).toBe('on');
    expect(r.log).toEqual(['0 on 400+450', '0 off', '0 on 400+450']);
  });

  it('ringback: 425 Hz, 1 s on, 4 s off', () => {
    const c = virtualClock();
    const r = recorder(c.now);
    const ring = new Ringtone(c.clock, r.out);
    ring.start(RINGBACK);
    c.advance(6000);
    expect(r.log).toEqual(['0 on 425', '1000 off', '5000 on 425', '6000 off']);
  });
});
