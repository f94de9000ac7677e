import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { IllegalTransitionError, StateMachine } from '../runtime/state-machine.js';
import { decodeFramedMessage, encodeFramedMessage } from '../wire/framing.js';
import type { BytePipe, BytePipeHandlers } from './byte-pipe.js';
import { ManualClock } from '../testing/manual-clock.js';
import { FramedLink } from './framed-link.js';
import { LATE_CHECK_GRACE_MS, LATE_CHECK_MS } from './late-check.js';
import { EARLY_MESSAGES_MAX } from './message-delivery.js';
import { linkTransitions, type LinkState } from './link-state.js';

/** A pipe that records what the link sends and lets the test inject frames. */
class ScriptedPipe implements BytePipe {
  readonly maxMessageSize = 1000;
  readonly sent: Uint8Array[] = [];
  handlers!: BytePipeHandlers;
  closed = false;
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }
  close(): void {
    this.closed = true;
  }
  setHandlers(h: BytePipeHandlers): void {
    this.handlers = h;
  }
  frames() {
    return this.sent.map((b) => decodeFramedMessage(b));
  }
}

function setup(init: { failureTimeoutMs?: number } = {}) {
  const clock = new VirtualClock();
  const pipe = new ScriptedPipe();
  const link = new FramedLink({ clock }, pipe, { remoteAddress: 'peer', rtt: { minRtoMs: 1 }, ...init });
  return { clock, pipe, link };
}

describe('link state transitions (link-state.ts)', () => {
  const all: LinkState[] = ['open', 'suspect', 'closed'];
  const legal = new Set(['open>suspect', 'open>closed', 'suspect>open', 'suspect>closed']);
  for (const from of all) {
    for (const to of all) {
      const ok = legal.has(`${from}>${to}`);
      it(`${from} -> ${to} is ${ok ? 'allowed' : 'illegal'}`, () => {
        const m = new StateMachine<LinkState>('link', linkTransitions, from);
        if (ok) {
          m.transition(to);
          expect(m.state).toBe(to);
        } else {
          expect(() => m.transition(to)).toThrow(IllegalTransitionError);
        }
      });
    }
  }
});

describe('FramedLink (§6.6.2)', () => {
  it('frames each message as data with sequence numbers from 0 and a data frame overhead of 8 bytes', () => {
    const { pipe, link } = setup();
    expect(link.maxMessageSize).toBe(992);
    link.send(Uint8Array.of(7, 7));
    link.send(Uint8Array.of(8));
    expect(pipe.frames()).toEqual([
      { kind: 'data', sequence: 0, message: Uint8Array.of(7, 7) },
      { kind: 'data', sequence: 1, message: Uint8Array.of(8) },
    ]);
  });

  it('acks every data frame at once with the received bitmask, and delivers the message', () => {
    const { pipe, link } = setup();
    const got: Uint8Array[] = [];
    link.onMessage((m) => got.push(m));
    pipe.handlers.message(encodeFramedMessage({ kind: 'data', sequence: 0, message: Uint8Array.of(1) }));
    pipe.handlers.message(encodeFramedMessage({ kind: 'data', sequence: 2, message: Uint8Array.of(3) }));
    expect(pipe.frames()).toEqual([
      { kind: 'ack', ackSequence: 0, received: 0 },
      { kind: 'ack', ackSequence: 2, received: 0b100 },
    ]);
    expect(got).toEqual([Uint8Array.of(1), Uint8Array.of(3)]);
  });

  it('tells each listener once per message, in the order they subscribed, until each unsubscribes', () => {
    const { pipe, link } = setup();
    const got: string[] = [];
    const frame = (sequence: number) => encodeFramedMessage({ kind: 'data', sequence, message: Uint8Array.of(sequence) });
    const first = (m: Uint8Array) => got.push(`first:${m[0]}`);
    const offFirst = link.onMessage(first);
    link.onMessage(first); // the same listener again: still told once
    let offSecond = () => {};
    offSecond = link.onMessage((m) => {
      got.push(`second:${m[0]}`);
      if (m[0] === 1) offSecond(); // unsubscribing while being told
    });
    link.onMessage(() => {
      throw new Error('a faulty listener does not stop the others');
    });
    const offLast = link.onMessage((m) => got.push(`last:${m[0]}`));
    pipe.handlers.message(frame(0));
    pipe.handlers.message(frame(1));
    pipe.handlers.message(frame(2));
    offFirst();
    pipe.handlers.message(frame(3));
    offLast();
    offLast();
    pipe.handlers.message(frame(4));
    expect(got).toEqual(['first:0', 'second:0', 'last:0', 'first:1', 'second:1', 'last:1', 'first:2', 'last:2', 'last:3']);
    expect(link.stats().dataFramesReceived).toBe(5);
  });

  it('keeps messages that come before any listener, in order, for the first one (after the job that subscribes it)', async () => {
    const { pipe, link } = setup();
    const frame = (sequence: number) => encodeFramedMessage({ kind: 'data', sequence, message: Uint8Array.of(sequence) });
    pipe.handlers.message(frame(0));
    pipe.handlers.message(frame(1));
    const got: number[] = [];
    const off = link.onMessage((m) => got.push(m[0]!));
    // Not inside onMessage: the caller may not be ready for it (a const it is assigning, say).
    expect(got).toEqual([]);
    pipe.handlers.message(frame(2)); // behind the kept ones
    await Promise.resolve();
    expect(got).toEqual([0, 1, 2]);
    pipe.handlers.message(frame(3));
    expect(got).toEqual([0, 1, 2, 3]);
    // Between one listener and the next (the hello's, then forwarding's), nothing is lost either.
    off();
    pipe.handlers.message(frame(4));
    const next: number[] = [];
    link.onMessage((m) => next.push(m[0]!));
    await Promise.resolve();
    expect(next).toEqual([4]);
    expect(pipe.frames().filter((f) => f.kind === 'ack')).toHaveLength(5);
  });

  it(`keeps at most ${EARLY_MESSAGES_MAX} messages with no listener`, async () => {
    const { pipe, link } = setup();
    for (let i = 0; i < EARLY_MESSAGES_MAX + 5; i++) pipe.handlers.message(encodeFramedMessage({ kind: 'data', sequence: i, message: Uint8Array.of(i) }));
    const got: number[] = [];
    link.onMessage((m) => got.push(m[0]!));
    await Promise.resolve();
    expect(got).toEqual(Array.from({ length: EARLY_MESSAGES_MAX }, (_, i) => i));
  });

  it('acks but does not deliver an empty data frame (our liveness probe)', () => {
    const { pipe, link } = setup();
    const got: Uint8Array[] = [];
    link.onMessage((m) => got.push(m));
    pipe.handlers.message(encodeFramedMessage({ kind: 'data', sequence: 0, message: new Uint8Array(0) }));
    expect(pipe.frames()).toEqual([{ kind: 'ack', ackSequence: 0, received: 0 }]);
    expect(got).toEqual([]);
  });

  it('measures the RTT from the ack of a frame', async () => {
    const { clock, pipe, link } = setup();
    link.send(Uint8Array.of(1));
    await clock.advance(40);
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 }));
    expect(link.rtt).toBe(40);
    expect(link.rto).toBe(40 + 4 * 20);
  });

  it('ignores an ack for a frame never sent', () => {
    const { pipe, link } = setup();
    link.send(Uint8Array.of(1));
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 5, received: 0 }));
    expect(link.rtt).toBeUndefined();
  });

  it('probes at RTO, 3·RTO, 7·RTO of silence, turns suspect at the third, closes as dead at the failure timeout', async () => {
    const { clock, pipe, link } = setup({ failureTimeoutMs: 20_000 });
    const states: string[] = [];
    link.onStateChange((s, r) => states.push(`${clock.now()}:${s}${r ? `:${r}` : ''}`));
    link.send(Uint8Array.of(1));
    await clock.advance(20_000);
    const probes = pipe.sent.map((b, i) => [i, decodeFramedMessage(b)] as const).filter(([, f]) => f.kind === 'data' && f.message.length === 0);
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(states).toEqual(['3500:suspect', '20000:closed:dead']);
    expect(pipe.closed).toBe(true);
  });

  it('a check that runs a second or more late (this process was blocked) does not count that time as silence; a peer that stays silent is still found dead (LATE_CHECK_MS)', () => {
    // Time that jumps while no timer runs, as in a blocked process: then the due timers run late.
    const clock = new ManualClock(0);
    const pipe = new ScriptedPipe();
    const link = new FramedLink({ clock }, pipe, { remoteAddress: 'peer', rtt: { minRtoMs: 1 }, failureTimeoutMs: 4_000, keepaliveIntervalMs: 1_000 });
    const states: string[] = [];
    link.onStateChange((s, r) => states.push(`${clock.now()}:${s}${r ? `:${r}` : ''}`));
    link.send(Uint8Array.of(1));
    clock.advance(50);
    // Blocked for 6 s (longer than the failure timeout) with the peer's ack of frame 0 not yet read.
    clock.block(6_000);
    expect(states).toEqual([]);
    // The loop reads its input: the ack that waited.
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 }));
    clock.advance(LATE_CHECK_GRACE_MS);
    expect(link.state).toBe('open');
    // The ack's delay measured the block, not the link: no RTT sample from it.
    expect(link.rtt).toBeUndefined();
    // Blocked again with a frame outstanding, and this time the peer is gone: after the block it
    // still gets the failure timeout of silence (counted while this end runs) before `dead`.
    link.send(Uint8Array.of(2));
    clock.block(6_000);
    const resumedAt = clock.now();
    // (Only the time since the late check was due is known to be the block's: the RTO before it counts.)
    clock.advance(4_000 - LATE_CHECK_MS - 1);
    expect(link.state).not.toBe('closed');
    clock.advance(LATE_CHECK_MS + LATE_CHECK_GRACE_MS + 1);
    expect(states.at(-1)).toMatch(/:closed:dead$/);
    expect(Number(states.at(-1)!.split(':')[0]) - resumedAt).toBeLessThanOrEqual(4_000 + LATE_CHECK_GRACE_MS);
  });

  it('closes on a malformed frame (protocol error)', () => {
    const { pipe, link } = setup();
    const states: string[] = [];
    link.onStateChange((s, r) => states.push(`${s}:${r}`));
    pipe.handlers.message(Uint8Array.of(0x42, 0, 0));
    expect(states).toEqual(['closed:protocol-error']);
    expect(pipe.closed).toBe(true);
  });

  it('a remote close closes the link with reason remote, without closing the pipe again', () => {
    const { pipe, link } = setup();
    const states: string[] = [];
    link.onStateChange((s, r) => states.push(`${s}:${r}`));
    pipe.handlers.closed();
    expect(states).toEqual(['closed:remote']);
    expect(pipe.closed).toBe(false);
  });
});

describe('FramedLink.probe (whether the link carries frames both ways now)', () => {
  it('sends a probe at once and answers true on its ack, false when no ack comes within the timeout or the link closes', async () => {
    const { clock, pipe, link } = setup();
    const answered = link.probe(1_000);
    const [probe] = pipe.frames();
    expect(probe).toEqual({ kind: 'data', sequence: 0, message: new Uint8Array(0) });
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 }));
    await expect(answered).resolves.toBe(true);

    const silent = link.probe(1_000);
    await clock.advance(1_000);
    await expect(silent).resolves.toBe(false);

    const closing = link.probe(1_000);
    link.close();
    await expect(closing).resolves.toBe(false);
    await expect(link.probe(1_000)).resolves.toBe(false);
  });

  it('an ack for a frame sent before the probe does not answer it; one for a later frame does', async () => {
    const { clock, pipe, link } = setup();
    link.send(Uint8Array.of(1)); // sequence 0
    const answered = link.probe(1_000); // sequence 1
    link.send(Uint8Array.of(2)); // sequence 2
    let result: boolean | undefined;
    void answered.then((r) => (result = r));
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 }));
    await clock.advance(1);
    expect(result).toBeUndefined();
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 2, received: 0 }));
    await expect(answered).resolves.toBe(true);
  });
});

describe('FramedLink.probe on a late timer (LATE_CHECK_MS)', () => {
  it('a probe whose timeout runs a second or more late (this process was blocked) waits for the input read next: the ack waiting there answers it', async () => {
    const clock = new ManualClock(0);
    const pipe = new ScriptedPipe();
    const link = new FramedLink({ clock }, pipe, { remoteAddress: 'peer' });
    let result: boolean | undefined;
    void link.probe(1_000).then((r) => (result = r));
    clock.block(3_000);
    await Promise.resolve();
    expect(result).toBeUndefined();
    pipe.handlers.message(encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 }));
    await Promise.resolve();
    expect(result).toBe(true);
  });
});
