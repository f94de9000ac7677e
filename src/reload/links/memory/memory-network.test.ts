import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { SeededRandom } from '../../../sim/seeded-random.js';
import { decodeFramedMessage } from '../../wire/framing.js';
import { linkComplianceTests } from '../link.compliance.js';
import type { Link } from '../link.js';
import { LinkOpenError } from '../link.js';
import { OPENER_KEEPALIVE_SHARE, type FramedLink } from '../framed-link.js';
import { MemoryNetwork, type MemoryNetworkInit } from './memory-network.js';

const FAILURE_TIMEOUT = 5_000;

async function pairOn(init: MemoryNetworkInit = {}) {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, random: new SeededRandom(1) }, { link: { failureTimeoutMs: FAILURE_TIMEOUT }, ...init });
  const inbound: Link[] = [];
  const ea = net.listen('a', () => {});
  net.listen('b', (l) => inbound.push(l));
  const a = await clock.run(ea.linkFactory.open('b'));
  const b = inbound[0]!;
  return { clock, net, a, b };
}

linkComplianceTests('memory link', async () => {
  const { clock, net, a, b } = await pairOn();
  return {
    a,
    b,
    advance: (ms) => clock.advance(ms),
    failureTimeoutMs: FAILURE_TIMEOUT,
    silenceB: () => net.crash('b'),
  };
});

linkComplianceTests('memory link with 40 ms latency and jitter', async () => {
  const { clock, net, a, b } = await pairOn({ model: { latencyMs: 40, jitterMs: 30 } });
  return { a, b, advance: (ms) => clock.advance(ms), failureTimeoutMs: FAILURE_TIMEOUT, silenceB: () => net.crash('b') };
});

describe('MemoryNetwork', () => {
  it('takes one round trip to open a link and one latency to deliver', async () => {
    const { clock, a, b } = await pairOn({ model: { latencyMs: 25 } });
    expect(clock.now()).toBe(50);
    const got: number[] = [];
    b.onMessage(() => got.push(clock.now()));
    a.send(Uint8Array.of(1));
    await clock.advance(100);
    expect(got).toEqual([75]);
  });

  it('keeps each direction ordered when the latency drops mid-flight, and delivers nothing in flight once an end crashes', async () => {
    const { clock, net, a, b } = await pairOn({ model: { latencyMs: 50 } });
    const got: string[] = [];
    b.onMessage((m) => got.push(`b${m[0]}@${clock.now()}`));
    a.onMessage((m) => got.push(`a${m[0]}@${clock.now()}`));
    a.send(Uint8Array.of(1));
    net.setModel('a', 'b', { latencyMs: 10 });
    await clock.advance(10);
    a.send(Uint8Array.of(2)); // would arrive at 120 before 1 (due at 150): waits for it
    b.send(Uint8Array.of(3)); // the other direction is not held up
    await clock.advance(20);
    a.send(Uint8Array.of(4));
    await clock.advance(100);
    expect(got).toEqual(['a3@120', 'b1@150', 'b2@150', 'b4@150']);
    a.send(Uint8Array.of(5));
    b.send(Uint8Array.of(6));
    await clock.advance(5);
    net.crash('b');
    await clock.advance(100);
    expect(got).toHaveLength(4);
  });

  it('rejects opening a link to an address nobody listens on', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, random: new SeededRandom(1) });
    const e = net.listen('a', () => {});
    await expect(clock.run(e.linkFactory.open('nobody'))).rejects.toBeInstanceOf(LinkOpenError);
  });

  it('carries valid FramedMessages (§6.6.2): data with sequence 0, 1, … and an ack for each', async () => {
    const { clock, net, a } = await pairOn();
    const frames: { from: string; kind: string; seq: number }[] = [];
    net.tap((f) => {
      const m = decodeFramedMessage(f.bytes);
      frames.push({ from: f.from, kind: m.kind, seq: m.kind === 'data' ? m.sequence : m.ackSequence });
    });
    a.send(Uint8Array.of(1));
    a.send(Uint8Array.of(2));
    await clock.advance(100);
    expect(frames).toEqual([
      { from: 'a', kind: 'data', seq: 0 },
      { from: 'a', kind: 'data', seq: 1 },
      { from: 'b', kind: 'ack', seq: 0 },
      { from: 'b', kind: 'ack', seq: 1 },
    ]);
  });

  it('drops frames per the loss model (surfaced, not repaired) and stays deterministic per seed', async () => {
    const run = async () => {
      const { clock, net, a, b } = await pairOn({ model: { loss: 0.3 } });
      const got: number[] = [];
      b.onMessage((m) => got.push(m[0]!));
      for (let i = 1; i <= 50; i++) a.send(Uint8Array.of(i));
      await clock.advance(1000);
      return { got, stats: net.stats() };
    };
    const first = await run();
    expect(first.got.length).toBeGreaterThan(20);
    expect(first.got.length).toBeLessThan(50);
    // What arrives stays in order.
    expect([...first.got].sort((x, y) => x - y)).toEqual(first.got);
    expect(first.stats.dropped).toBeGreaterThan(0);
    expect(await run()).toEqual(first);
  });

  it('enforces the per-pair MTU as the link maximum message size', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, random: new SeededRandom(1) });
    net.setModel('a', 'b', { mtu: 600 });
    const e = net.listen('a', () => {});
    net.listen('b', () => {});
    net.listen('c', () => {});
    const ab = await clock.run(e.linkFactory.open('b'));
    const ac = await clock.run(e.linkFactory.open('c'));
    expect(ab.maxMessageSize).toBe(600);
    expect(ac.maxMessageSize).toBe(65_536);
    expect(ab.send(new Uint8Array(601))).toBe(false);
  });

  it('disconnect() closes the peer links cleanly; the other end sees a remote close', async () => {
    const { clock, net, a, b } = await pairOn();
    const states: string[] = [];
    a.onStateChange((s, r) => states.push(`${s}:${r}`));
    net.disconnect('b');
    expect(b.state).toBe('closed');
    await clock.advance(100);
    expect(states).toEqual(['closed:remote']);
  });

  it('probes an idle link when keepalive is on, so a silent peer is found without traffic', async () => {
    const { clock, net, a } = await pairOn({ link: { failureTimeoutMs: FAILURE_TIMEOUT, keepaliveIntervalMs: 1000 } });
    await clock.advance(3000);
    expect(a.state).toBe('open');
    net.crash('b');
    await clock.advance(FAILURE_TIMEOUT + 2000);
    expect(a.state).toBe('closed');
  });

  it('of two idle ends only the opener probes, and either end finds the other silent within keepalive + failure timeout', async () => {
    const keepaliveIntervalMs = 1000;
    for (const silent of ['a', 'b'] as const) {
      const { clock, net, a, b } = await pairOn({ link: { failureTimeoutMs: FAILURE_TIMEOUT, keepaliveIntervalMs } });
      await clock.advance(30 * keepaliveIntervalMs);
      // The opener (a) probes every 0.75 interval; each probe is a frame b hears, so b never does.
      const opener = (a as FramedLink).stats().probesSent;
      expect(opener).toBeGreaterThanOrEqual(Math.floor(30 / OPENER_KEEPALIVE_SHARE) - 2);
      expect((b as FramedLink).stats().probesSent).toBe(0);
      expect([a.state, b.state]).toEqual(['open', 'open']);
      const alive = silent === 'b' ? a : b;
      net.crash(silent);
      // The last frame the live end heard is at most one (opener's) interval old; ack latency aside.
      await clock.advance(keepaliveIntervalMs + FAILURE_TIMEOUT + 50);
      expect(alive.state).toBe('closed');
    }
  });

  it('a suspect link becomes open again when acks resume', async () => {
    const { clock, net, a } = await pairOn();
    let blocked = true;
    net.setModel('a', 'b', { drop: (_f, from) => blocked && from === 'b' });
    a.send(Uint8Array.of(1));
    await clock.advance(8 * a.rto);
    expect(a.state).toBe('suspect');
    blocked = false;
    a.send(Uint8Array.of(2));
    await clock.advance(100);
    expect(a.state).toBe('open');
  });
});
