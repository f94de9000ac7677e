/**
 * The one compliance suite every Link implementation passes (style.md §8, like libp2p's shared
 * transport suite): the memory, WebSocket and data-channel links, and wrappers of a link (the
 * capture of app/overlay/capture-network.ts). Call `linkComplianceTests(name, makePair)` from the
 * implementation's test file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Link, LinkCloseReason, LinkState } from './link.js';

/** Two connected links and a way to move time, built fresh for each test. */
export interface LinkPairHarness {
  /** The end that opened the link. */
  readonly a: Link;
  /** The end that accepted it. */
  readonly b: Link;
  /** Let `ms` of (virtual or real) time pass, delivering what is in flight. */
  advance(ms: number): Promise<void>;
  /** Failure timeout the links were built with (ms): a silent peer must be `closed` by then. */
  readonly failureTimeoutMs: number;
  /** Make b's side vanish silently (no frames, no close), if the link kind can simulate it. */
  silenceB?(): void;
  /** Release everything (optional). */
  teardown?(): Promise<void> | void;
}

function bytesOf(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + 1) & 0xff;
  return b;
}

function record(link: Link): { messages: Uint8Array[]; states: [LinkState, LinkCloseReason | undefined][] } {
  const messages: Uint8Array[] = [];
  const states: [LinkState, LinkCloseReason | undefined][] = [];
  link.onMessage((m) => messages.push(m));
  link.onStateChange((s, r) => states.push([s, r]));
  return { messages, states };
}

export function linkComplianceTests(name: string, makePair: () => Promise<LinkPairHarness>): void {
  describe(`Link compliance: ${name}`, () => {
    let h: LinkPairHarness | undefined;
    const pair = async () => (h = await makePair());
    afterEach(async () => {
      await h?.teardown?.();
      h = undefined;
    });

    it('starts open with a usable maximum message size', async () => {
      const { a, b } = await pair();
      expect(a.state).toBe('open');
      expect(b.state).toBe('open');
      for (const l of [a, b]) {
        expect(l.maxMessageSize).toBeGreaterThanOrEqual(256);
        expect(l.maxMessageSize).toBeLessThanOrEqual(0xffffff);
        expect(l.id).not.toBe('');
        expect(l.rto).toBeGreaterThan(0);
      }
      expect(a.id).not.toBe(b.id);
    });

    it('delivers messages byte for byte, in order, in both directions', async () => {
      const { a, b, advance } = await pair();
      const atA = record(a);
      const atB = record(b);
      const sizes = [1, 2, 100, 1000, a.maxMessageSize, 17, 3];
      const sent = sizes.map((n, i) => bytesOf(Math.min(n, a.maxMessageSize, b.maxMessageSize), i));
      for (const m of sent) expect(a.send(m)).toBe(true);
      for (const m of [...sent].reverse()) expect(b.send(m)).toBe(true);
      await advance(1000);
      expect(atB.messages).toEqual(sent);
      expect(atA.messages).toEqual([...sent].reverse());
    });

    it('refuses empty and oversized messages without sending anything', async () => {
      const { a, b, advance } = await pair();
      const atB = record(b);
      expect(a.send(new Uint8Array(0))).toBe(false);
      expect(a.send(new Uint8Array(a.maxMessageSize + 1))).toBe(false);
      await advance(1000);
      expect(atB.messages).toEqual([]);
      expect(a.state).toBe('open');
    });

    it('estimates the round-trip time from framing acks', async () => {
      const { a, b, advance } = await pair();
      expect(a.rtt).toBeUndefined();
      for (let i = 0; i < 5; i++) {
        a.send(bytesOf(10, i));
        b.send(bytesOf(10, i));
        await advance(200);
      }
      for (const l of [a, b]) {
        expect(l.rtt).toBeTypeOf('number');
        expect(l.rtt!).toBeGreaterThanOrEqual(0);
        expect(l.rto).toBeGreaterThanOrEqual(l.rtt!);
      }
    });

    it('close() closes both ends, once, and stops traffic', async () => {
      const { a, b, advance } = await pair();
      const atA = record(a);
      const atB = record(b);
      a.close();
      expect(a.state).toBe('closed');
      expect(atA.states).toEqual([['closed', 'local']]);
      expect(a.send(bytesOf(10, 1))).toBe(false);
      a.close();
      await advance(1000);
      expect(b.state).toBe('closed');
      expect(atB.states).toEqual([['closed', 'remote']]);
      expect(b.send(bytesOf(10, 2))).toBe(false);
      await advance(1000);
      expect(atA.messages).toEqual([]);
      expect(atA.states).toHaveLength(1);
    });

    it('stops calling a listener once it unsubscribes', async () => {
      const { a, b, advance } = await pair();
      const got: Uint8Array[] = [];
      const off = b.onMessage((m) => got.push(m));
      a.send(bytesOf(5, 1));
      await advance(500);
      off();
      a.send(bytesOf(5, 2));
      await advance(500);
      expect(got).toEqual([bytesOf(5, 1)]);
    });

    it('notices a peer that went silent: suspect within a bounded time, then closed as dead', async (ctx) => {
      const harness = await pair();
      if (!harness.silenceB) return ctx.skip();
      const { a, advance } = harness;
      // A little traffic first, so the RTO reflects the link.
      const atA = record(a);
      for (let i = 0; i < 3; i++) {
        a.send(bytesOf(10, i));
        await advance(200);
      }
      harness.silenceB();
      const rto = a.rto;
      a.send(bytesOf(10, 9));
      // §6.6.3.1 schedule: probes at RTO, 3·RTO, 7·RTO of silence; suspect at the third.
      await advance(8 * rto + 50);
      expect(a.state).toBe('suspect');
      await advance(harness.failureTimeoutMs);
      expect(a.state).toBe('closed');
      expect(atA.states.at(-1)).toEqual(['closed', 'dead']);
      expect(atA.states.map((s) => s[0])).toEqual(['suspect', 'closed']);
    });

    it('probe(): the ack answers it true; the probe delivers no message and changes no state, also once its timeout has passed', async () => {
      const { a, b, advance } = await pair();
      const atA = record(a);
      const atB = record(b);
      let answered: boolean | undefined;
      void a.probe(1000).then((v) => (answered = v));
      await advance(500);
      expect(answered).toBe(true);
      // Its wait is over: the timeout passing later neither answers again nor touches the link.
      await advance(1000);
      expect(atB.messages).toEqual([]);
      expect([atA.states, atB.states]).toEqual([[], []]);
      expect([a.state, b.state]).toEqual(['open', 'open']);
      expect(a.send(bytesOf(4, 1))).toBe(true);
      await advance(500);
      expect(atB.messages).toEqual([bytesOf(4, 1)]);
    });

    it('probe(): a closed link answers false at once; a probe under way when the link closes answers false then, not at its timeout', async () => {
      const { a, b, advance } = await pair();
      let underWay: boolean | undefined;
      // Closed at this end while the probe's ack is still to come.
      void b.probe(60_000).then((v) => (underWay = v));
      b.close();
      await advance(0);
      expect(underWay).toBe(false);
      await expect(b.probe(60_000)).resolves.toBe(false);
      await advance(1000);
      expect(a.state).toBe('closed');
      await expect(a.probe(60_000)).resolves.toBe(false);
    });

    it('probe(): a peer gone silent answers false once the timeout is over', async (ctx) => {
      const harness = await pair();
      if (!harness.silenceB) return ctx.skip();
      const { a, advance } = harness;
      harness.silenceB();
      let answered: boolean | undefined;
      void a.probe(300).then((v) => (answered = v));
      await advance(100);
      expect(answered).toBeUndefined(); // still waiting: not refused at once
      await advance(500);
      expect(answered).toBe(false);
    });

    it('stays open while idle (no traffic, no failure)', async () => {
      const { a, b, advance, failureTimeoutMs } = await pair();
      a.send(bytesOf(3, 3));
      await advance(2 * failureTimeoutMs);
      expect(a.state).toBe('open');
      expect(b.state).toBe('open');
    });
  });
}
