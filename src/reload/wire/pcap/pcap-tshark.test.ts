/**
 * Cross-checks the pcap codec against Wireshark's own tools (Debian packages tshark and
 * wireshark-common; `.ci/run` installs them): tshark must read what we write with the right UDP
 * fields and good checksums, and we must read what editcap and text2pcap write.
 * Port 9 (discard) keeps tshark from dissecting the payloads as RELOAD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeError } from '../codec/decode-error.js';
import { decodePcapFile, decodeUdpCapture, encodePcapFile, PcapWriter } from './index.js';

function tool(name: string, args: readonly string[]): string {
  try {
    return execFileSync(name, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${name} is not installed: this test needs Debian's tshark package (.ci/run installs it)`);
    }
    throw e;
  }
}

/** tshark's fields for every frame, with IPv4 and UDP checksum validation switched on. */
function tsharkFields(file: string, fields: readonly string[]): string[][] {
  const out = tool('tshark', [
    '-r', file,
    '-o', 'ip.check_checksum:TRUE',
    '-o', 'udp.check_checksum:TRUE',
    '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

const FIELDS = [
  'udp.srcport', 'udp.dstport', 'udp.length', 'ip.checksum.status', 'udp.checksum.status',
  'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'frame.time_epoch', 'udp.payload', '_ws.malformed',
] as const;

/** Checksum status values in tshark's field output (Wireshark's proto_checksum_enum_e). */
const GOOD = '1';
const BAD = '0';

describe('pcap files and Wireshark', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chordphone-pcap-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const payloadOdd = Uint8Array.from({ length: 1401 }, (_, i) => (i * 7) & 0xff);
  const datagrams = [
    { timestampMs: 1_700_000_000_123.456, src: { ip: '192.0.2.1', port: 40000 }, dst: { ip: '198.51.100.7', port: 9 }, payload: Uint8Array.of(1, 2, 3) },
    { timestampMs: 1_700_000_000_124, src: { ip: '10.0.0.1', port: 9 }, dst: { ip: '10.0.0.2', port: 9 }, payload: payloadOdd },
    { timestampMs: 1_700_000_000_125, src: { ip: '2001:db8::1', port: 40001 }, dst: { ip: '2001:db8::2', port: 9 }, payload: Uint8Array.of(0xff, 0xfe) },
    { timestampMs: 1_700_000_000_126, src: { ip: '192.0.2.1', port: 65535 }, dst: { ip: '192.0.2.255', port: 9 }, payload: new Uint8Array(0) },
  ];

  it('tshark reads our capture with the UDP fields and checksums we meant', () => {
    const w = new PcapWriter();
    for (const d of datagrams) w.addUdp(d);
    const file = join(dir, 'ours.pcap');
    writeFileSync(file, w.toBytes());

    const rows = tsharkFields(file, FIELDS);
    expect(rows).toHaveLength(datagrams.length);
    rows.forEach((row, i) => {
      const d = datagrams[i]!;
      const [srcPort, dstPort, length, ipStatus, udpStatus, ipSrc, ipDst, ip6Src, ip6Dst, epoch, payload, malformed] = row;
      const v6 = d.src.ip.includes(':');
      expect({ srcPort, dstPort, length }).toEqual({
        srcPort: String(d.src.port),
        dstPort: String(d.dst.port),
        length: String(8 + d.payload.length),
      });
      expect(ipStatus).toBe(v6 ? '' : GOOD);
      expect(udpStatus).toBe(GOOD);
      expect(v6 ? [ip6Src, ip6Dst] : [ipSrc, ipDst]).toEqual([d.src.ip, d.dst.ip]);
      expect(Number(epoch) * 1000).toBeCloseTo(d.timestampMs, 2);
      expect(payload).toBe(Buffer.from(d.payload).toString('hex'));
      expect(malformed).toBe('');
    });
  });

  it('tshark sees a broken IPv4 checksum (so the check above means something)', () => {
    const bytes = new PcapWriter().addUdp(datagrams[0]!).toBytes();
    const at = 24 + 16 + 10; // file header, record header, then the IPv4 checksum's first byte
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    const file = join(dir, 'bad-checksum.pcap');
    writeFileSync(file, bytes);
    const [[, , , ipStatus]] = tsharkFields(file, FIELDS) as [string[]];
    expect(ipStatus).toBe(BAD);
  });

  it.each([
    ['big-endian, microseconds', 'big', 'microseconds'],
    ['big-endian, nanoseconds', 'big', 'nanoseconds'],
    ['little-endian, nanoseconds', 'little', 'nanoseconds'],
  ] as const)('tshark reads a %s file from encodePcapFile', (_name, byteOrder, precision) => {
    const w = new PcapWriter();
    for (const d of datagrams) w.addUdp(d);
    const ours = decodePcapFile(w.toBytes());
    const scale = precision === 'nanoseconds' ? 1000 : 1;
    const file = join(dir, `${byteOrder}-${precision}.pcap`);
    writeFileSync(file, encodePcapFile({ ...ours, byteOrder, precision, records: ours.records.map((r) => ({ ...r, tsFraction: r.tsFraction * scale })) }));
    const rows = tsharkFields(file, ['udp.srcport', 'frame.time_epoch']);
    expect(rows.map(([port]) => port)).toEqual(datagrams.map((d) => String(d.src.port)));
    expect(rows[0]![1]).toBe('1700000000.123456000');
  });

  it('reads the nanosecond pcap that editcap converts ours to', () => {
    const w = new PcapWriter();
    for (const d of datagrams) w.addUdp(d);
    const ours = join(dir, 'for-editcap.pcap');
    const theirs = join(dir, 'from-editcap.pcap');
    writeFileSync(ours, w.toBytes());
    tool('editcap', ['-F', 'nsecpcap', ours, theirs]);
    const file = decodePcapFile(new Uint8Array(readFileSync(theirs)));
    expect(file.precision).toBe('nanoseconds');
    const found = decodeUdpCapture(new Uint8Array(readFileSync(theirs)));
    expect(found.map((f) => [f.src, f.dst, Buffer.from(f.payload).toString('hex')])).toEqual(
      datagrams.map((d) => [d.src, d.dst, Buffer.from(d.payload).toString('hex')]),
    );
    found.forEach((f, i) => expect(f.timestampMs).toBeCloseTo(datagrams[i]!.timestampMs, 3));
  });

  it('reads the Ethernet UDP capture that text2pcap writes, and explains pcapng', () => {
    const dump = join(dir, 'dump.txt');
    writeFileSync(dump, '0000 d2 45 4c 4f 0a 00\n');
    const pcap = join(dir, 'text2pcap.pcap');
    tool('text2pcap', ['-q', '-F', 'pcap', '-u', '1234,9', dump, pcap]);
    const [udp, ...rest] = decodeUdpCapture(new Uint8Array(readFileSync(pcap)));
    expect(rest).toEqual([]);
    expect(udp).toMatchObject({ src: { port: 1234 }, dst: { port: 9 }, truncated: false });
    expect(Buffer.from(udp!.payload).toString('hex')).toBe('d2454c4f0a00');

    const pcapng = join(dir, 'text2pcap.pcapng');
    tool('text2pcap', ['-q', '-u', '1234,9', dump, pcapng]);
    expect(() => decodeUdpCapture(new Uint8Array(readFileSync(pcapng)))).toThrow(DecodeError);
    expect(() => decodeUdpCapture(new Uint8Array(readFileSync(pcapng)))).toThrow(/pcapng/);
  });
});
