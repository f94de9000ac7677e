import { describe, expect, it } from 'vitest';
import { linkComplianceTests } from '../../reload/links/link.compliance.js';
import type { Link } from '../../reload/links/link.js';
import { MemoryNetwork } from '../../reload/links/memory/index.js';
import type { PeerNetwork } from '../../reload/overlay/index.js';
import { decodeFramedMessage } from '../../reload/wire/framing.js';
import { decodeUdpCapture } from '../../reload/wire/pcap/index.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { createTrafficCapture } from './capture-network.js';

/** A PeerNetwork on the memory network whose links all authenticate as `id` of their address. */
function memoryPeerNetwork(net: MemoryNetwork, address: string): PeerNetwork & { inbound: Link[] } {
  let listener: ((l: Link) => void) | undefined;
  const inbound: Link[] = [];
  const endpoint = net.listen(address, (l) => {
    inbound.push(l);
    listener?.(l);
  });
  return {
    address,
    inbound,
    linkFactory: endpoint.linkFactory,
    onInbound: (l) => (listener = l),
    authenticate: (l) => Uint8Array.of(l.remoteAddress.length),
    close: () => endpoint.close(),
  };
}

const FAILURE_TIMEOUT_MS = 5_000;

// The capture's links wrap the network's (both ends wrapped, each by its own peer's capture).
linkComplianceTests('capture wrapper of memory links', async () => {
  const clock = new VirtualClock();
  const net = new MemoryNetwork({ clock, random: new SeededRandom(5) }, { link: { failureTimeoutMs: FAILURE_TIMEOUT_MS } });
  const a = createTrafficCapture({ now: () => clock.now() }).wrap(memoryPeerNetwork(net, '10.0.0.1:6084'));
  const b = createTrafficCapture({ now: () => clock.now() }).wrap(memoryPeerNetwork(net, '10.0.0.2:6084'));
  const inbound: Link[] = [];
  b.onInbound((l) => inbound.push(l));
  const atA = await clock.run(a.linkFactory.open('10.0.0.2:6084'));
  return { a: atA, b: inbound[0]!, advance: (ms) => clock.advance(ms), failureTimeoutMs: FAILURE_TIMEOUT_MS, silenceB: () => net.crash('10.0.0.2:6084') };
});

describe('createTrafficCapture', () => {
  it('records what the links of a wrapped network carry, both ways, as framed data in UDP/6084', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, random: new SeededRandom(3) }, { model: { latencyMs: 5 } });
    let now = Date.UTC(2026, 10, 26);
    const capture = createTrafficCapture({ now: () => now });
    const a = capture.wrap(memoryPeerNetwork(net, '10.0.0.1:6084'));
    const bInner = memoryPeerNetwork(net, '10.0.0.2:6084');
    const got: Uint8Array[] = [];
    const link = await clock.run(a.linkFactory.open('10.0.0.2:6084'));
    // authenticate sees through the wrapper to the real link.
    expect(a.authenticate(link)).toEqual(Uint8Array.of('10.0.0.2:6084'.length));
    link.onMessage((m) => got.push(m));
    expect(link.send(Uint8Array.of(1, 2, 3))).toBe(true);
    now += 10;
    expect(link.send(Uint8Array.of(4, 5))).toBe(true);
    await clock.advance(20);
    const back = bInner.inbound[0]!;
    back.send(Uint8Array.of(9, 9, 9, 9));
    await clock.advance(20);
    expect(got).toEqual([Uint8Array.of(9, 9, 9, 9)]);

    const datagrams = decodeUdpCapture(capture.toBytes());
    expect(capture.packets()).toBe(3);
    expect(datagrams.map((d) => [d.src.ip, d.dst.ip, d.src.port, d.dst.port])).toEqual([
      ['10.0.0.1', '10.0.0.2', 6084, 6084],
      ['10.0.0.1', '10.0.0.2', 6084, 6084],
      ['10.0.0.2', '10.0.0.1', 6084, 6084],
    ]);
    expect(datagrams.map((d) => decodeFramedMessage(d.payload))).toEqual([
      { kind: 'data', sequence: 0, message: Uint8Array.of(1, 2, 3) },
      { kind: 'data', sequence: 1, message: Uint8Array.of(4, 5) },
      { kind: 'data', sequence: 0, message: Uint8Array.of(9, 9, 9, 9) },
    ]);
    expect(datagrams[1]!.timestampMs - datagrams[0]!.timestampMs).toBe(10);

    capture.stop();
    link.send(Uint8Array.of(7));
    expect(capture.packets()).toBe(3);
    a.close();
    bInner.close();
  });
});
