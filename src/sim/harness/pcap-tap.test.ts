/**
 * The capture of simulated traffic against Wireshark's own dissector: tshark must read every
 * packet as RELOAD framing (RFC 6940 §6.6.2) on UDP 6084 with no malformed packet, and decode
 * the message codes. Needs Debian's tshark (`.ci/run` installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePcapFile, extractUdpDatagrams } from '../../reload/wire/pcap/index.js';
import { MessageCode } from '../../reload/wire/message-codes.js';
import { buildStaticOverlay } from '../static-overlay.js';
import { PcapTap } from './pcap-tap.js';
import { tsharkReloadFields } from './tshark-reload.js';

describe('pcap tap', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chordphone-sim-pcap-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures the sampled peers\' frames as UDP 6084 datagrams between synthetic IPv4 addresses', async () => {
    const o = await buildStaticOverlay({ peers: 8, network: { model: { loss: 0.1 } }, seed: 5 });
    o.peers.forEach((p, i) => p.transport.handle('ping_req', () => ({ value: { responseId: BigInt(i), time: 0n } })));
    const tap = new PcapTap(o.network, { addresses: ['p0', 'p3'] });
    const ping = (size: number) => ({ name: 'ping_req', value: { padding: new Uint8Array(size) } }) as const;
    for (let i = 0; i < 30; i++) {
      // Sizes up to 3 KB, over lossy links (so link probes and error answers show up too).
      await o.clock.run(o.peers[i % 2 === 0 ? 0 : 5]!.transport.request([{ kind: 'node', nodeId: o.ids[(i * 3) % 8]! }], ping(i * 100)).catch(() => undefined));
    }
    await o.clock.advance(30_000);
    tap.close();
    const { packets, skipped } = tap.stats();
    expect(packets).toBeGreaterThan(50);
    expect(skipped).toBe(0);

    const bytes = tap.toBytes();
    const datagrams = extractUdpDatagrams(decodePcapFile(bytes));
    expect(datagrams).toHaveLength(packets);
    const p0 = tap.ipOf('p0');
    const p3 = tap.ipOf('p3');
    expect(p0).toMatch(/^172\.(1[6-9]|2\d|3[01])\.\d+\.\d+$/);
    expect(p3).not.toBe(p0);
    for (const d of datagrams) {
      expect(d.src.port).toBe(6084);
      expect(d.dst.port).toBe(6084);
      // Every packet has a sampled peer at one end.
      expect([d.src.ip, d.dst.ip].some((ip) => ip === p0 || ip === p3)).toBe(true);
    }

    const file = join(dir, 'static.pcap');
    writeFileSync(file, bytes);
    const rows = tsharkReloadFields(file);
    expect(rows).toHaveLength(packets);
    expect(rows.filter((r) => r.malformed !== '')).toEqual([]);
    const codes = new Set(rows.flatMap((r) => r.codes).map(Number));
    expect(codes).toContain(MessageCode.ping_req);
    expect(codes).toContain(MessageCode.ping_ans);
  });

  it('shows a peer at its own IPv4 address when its network address is one', () => {
    const tap = new PcapTap({ tap: () => () => {} }, { addresses: [] });
    expect(tap.ipOf('10.0.1.2:6084')).toBe('10.0.1.2');
    expect(tap.ipOf('p7')).toBe('172.16.0.1');
    expect(tap.ipOf('999.1.1.1:6084')).toBe('172.16.0.2');
    expect(tap.ipOf('p7')).toBe('172.16.0.1');
  });

  it('stops at the packet limit and counts what it left out', async () => {
    const o = await buildStaticOverlay({ peers: 3 });
    o.peers.forEach((p) => p.transport.handle('ping_req', () => ({ value: { responseId: 0n, time: 0n } })));
    const tap = new PcapTap(o.network, { addresses: ['p0'], maxPackets: 4 });
    for (let i = 0; i < 5; i++) await o.clock.run(o.peers[0]!.transport.request([{ kind: 'node', nodeId: o.ids[1]! }], { name: 'ping_req', value: { padding: new Uint8Array(0) } }));
    expect(tap.stats().packets).toBe(4);
    expect(tap.stats().skipped).toBeGreaterThan(0);
  });
});
