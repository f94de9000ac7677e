import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes } from '../codec/concat-bytes.js';
import { EncodeError } from '../codec/decode-error.js';
import { toHex } from '../codec/hex.js';
import { formatIpAddress } from '../ip-address-port.js';
import { internetChecksum } from './internet-checksum.js';
import { decodeFailure, expectOnlyDecodeError, hex } from '../testing/codec-test-kit.js';
import { LinkType, decodePcapFile, decodeUdpCapture, encodePcapFile, extractUdpDatagrams, PcapWriter, type PcapFile } from './index.js';

/** `decode` of `text` raises a DecodeError at `path` and `offset` whose message matches `message`. */
function expectRejected(decode: (b: Uint8Array) => unknown, text: string, path: string, offset: number, message: RegExp): void {
  const e = decodeFailure(() => decode(hex(text)));
  expect(e.message).toMatch(message);
  expect(e.path).toBe(path);
  expect(e.offset).toBe(offset);
}

/** A file header (little-endian, microseconds, 2.4, snaplen 262144) for the given link type. */
const leHeader = (linkType: number) => `d4c3b2a1 0200 0400 00000000 00000000 00000400 ${le32(linkType)}`;

/** A little-endian record header with ts 1.000002 s. */
const leRecord = (inclLen: number, origLen = inclLen) => `01000000 02000000 ${le32(inclLen)} ${le32(origLen)}`;

function le32(n: number): string {
  return toHex(Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24));
}

// IPv4 192.0.2.1:6084 → 198.51.100.2:9, payload 01 02 03 04, identification 1, TTL 64.
// IPv4 checksum by hand: 4500+0020+0001+0000+4011+c000+0201+c633+6402 = 0x27168 → 0x716a → ~ = 0x8e95.
// UDP checksum by hand: pseudo-header c000+0201+c633+6402+0011+000c, header 17c4+0009+000c,
// payload 0102+0304 = 0x20832 → 0x0834 → ~ = 0xf7cb.
const IPV4_UDP = '45000020 00010000 40118e95 c0000201 c6336402' + '17c40009 000cf7cb 01020304';

describe('PcapWriter', () => {
  it('writes a hand-checked IPv4 UDP capture byte for byte', () => {
    const bytes = new PcapWriter()
      .addUdp({ timestampMs: 1_700_000_000_123.456, src: { ip: '192.0.2.1', port: 6084 }, dst: { ip: '198.51.100.2', port: 9 }, payload: hex('01020304') })
      .toBytes();
    expect(toHex(bytes)).toBe(
      toHex(
        hex(
          // magic (LE, µs), version 2.4, thiszone 0, sigfigs 0, snaplen 262144, LINKTYPE_RAW
          'd4c3b2a1 0200 0400 00000000 00000000 00000400 65000000' +
            // ts_sec 1700000000 = 0x6553f100, ts_usec 123456 = 0x0001e240, incl_len = orig_len = 32
            '00f15365 40e20100 20000000 20000000' +
            IPV4_UDP,
        ),
      ),
    );
  });

  it('computes an IPv6 UDP checksum that verifies to zero', () => {
    const bytes = new PcapWriter()
      .addUdp({ timestampMs: 0, src: { ip: '2001:db8::1', port: 5000 }, dst: { ip: '2001:db8::2', port: 9 }, payload: hex('abcdef') })
      .toBytes();
    const packet = decodePcapFile(bytes).records[0]!.data;
    expect(toHex(packet.subarray(0, 8))).toBe('60000000000b1140'); // version 6, payload length 11, UDP, hop limit 64
    // RFC 8200 §8.1 pseudo-header: src, dst, upper-layer length (32 bits), 3 zero bytes, next header.
    const pseudo = new Uint8Array(40);
    pseudo.set(packet.subarray(8, 40), 0);
    pseudo[35] = 11;
    pseudo[39] = 17;
    expect(internetChecksum(pseudo, packet.subarray(40))).toBe(0);
  });

  it('writes an empty capture as just the file header', () => {
    expect(toHex(new PcapWriter().toBytes())).toBe(toHex(hex(leHeader(LinkType.LINKTYPE_RAW))));
  });

  it.each([
    ['a bad IP', { src: { ip: '300.1.1.1', port: 1 } }, 'src.ip'],
    ['a host name', { dst: { ip: 'example.com', port: 1 } }, 'dst.ip'],
    ['mixed families', { dst: { ip: '::1', port: 1 } }, 'dst.ip'],
    ['a port above 65535', { src: { ip: '192.0.2.1', port: 65536 } }, 'src.port'],
    ['a negative port', { dst: { ip: '192.0.2.2', port: -1 } }, 'dst.port'],
    ['a payload too big for IPv4', { payload: new Uint8Array(65508) }, 'payload'],
    ['a negative time', { timestampMs: -1 }, 'timestampMs'],
    ['a time after 2106', { timestampMs: 2 ** 32 * 1000 }, 'timestampMs'],
    ['NaN time', { timestampMs: Number.NaN }, 'timestampMs'],
  ])('rejects %s with EncodeError', (_name, change, field) => {
    const base = { timestampMs: 0, src: { ip: '192.0.2.1', port: 1 }, dst: { ip: '192.0.2.2', port: 2 }, payload: new Uint8Array(1) };
    try {
      new PcapWriter().addUdp({ ...base, ...change });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EncodeError);
      expect((e as EncodeError).field).toBe(field);
    }
  });

  it('accepts the largest IPv4 and IPv6 payloads', () => {
    const w = new PcapWriter()
      .addUdp({ timestampMs: 0, src: { ip: '10.0.0.1', port: 1 }, dst: { ip: '10.0.0.2', port: 2 }, payload: new Uint8Array(65507) })
      .addUdp({ timestampMs: 0, src: { ip: '::1', port: 1 }, dst: { ip: '::1', port: 2 }, payload: new Uint8Array(65527) });
    const udp = decodeUdpCapture(w.toBytes());
    expect(udp.map((d) => d.payload.length)).toEqual([65507, 65527]);
  });
});

describe('reading what the writer wrote', () => {
  const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
  // Eight groups, written in full or with the longest zero run compressed (fc.ipV6() also makes
  // embedded-IPv4 forms such as ::ffff:1.2.3.4, which the shared parser does not take).
  const ipv6 = fc
    .tuple(fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 }), fc.boolean())
    .map(([groups, full]) => {
      const text = groups.map((g) => g.toString(16)).join(':');
      return full ? text : formatIpAddress({ kind: 'ipv6', address: Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])), port: 0 });
    });
  const port = fc.nat(65535);
  const datagram = (ip: fc.Arbitrary<string>) =>
    fc.record({
      timestampMs: fc.integer({ min: 0, max: 4_000_000_000_000 }).chain((ms) => fc.nat(999).map((us) => ms + us / 1000)),
      src: fc.record({ ip, port }),
      dst: fc.record({ ip, port }),
      payload: fc.uint8Array({ maxLength: 64 }),
    });

  it('round-trips addresses, ports, payloads and microsecond timestamps', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(datagram(ipv4), datagram(ipv6)), { maxLength: 8 }), (datagrams) => {
        const w = new PcapWriter();
        for (const d of datagrams) w.addUdp(d);
        const bytes = w.toBytes();
        const found = decodeUdpCapture(bytes);
        expect(found).toHaveLength(datagrams.length);
        found.forEach((f, i) => {
          const d = datagrams[i]!;
          expect(f.recordIndex).toBe(i);
          expect(f.truncated).toBe(false);
          expect(f.payload).toEqual(d.payload);
          expect(f.src.port).toBe(d.src.port);
          expect(f.dst.port).toBe(d.dst.port);
          // Text forms are canonical on the way out (RFC 5952 for IPv6).
          expect(normalise(f.src.ip)).toBe(normalise(d.src.ip));
          expect(normalise(f.dst.ip)).toBe(normalise(d.dst.ip));
          expect(Math.abs(f.timestampMs - d.timestampMs)).toBeLessThan(0.0006);
        });
        // encode(decode(b)) = b
        expect(toHex(encodePcapFile(decodePcapFile(bytes)))).toBe(toHex(bytes));
      }),
    );
  });

  it('parts() is the file toBytes() gives, whatever the chunk size, and the parts handed out never change', () => {
    fc.assert(
      fc.property(fc.array(datagram(ipv4), { maxLength: 12 }), fc.integer({ min: 1, max: 400 }), fc.nat(12), (datagrams, chunkBytes, cut) => {
        const w = new PcapWriter(chunkBytes);
        const reference = new PcapWriter();
        const before = Math.min(cut, datagrams.length);
        datagrams.slice(0, before).forEach((d) => (w.addUdp(d), reference.addUdp(d)));
        const early = w.parts();
        const earlyBytes = toHex(concat(early));
        datagrams.slice(before).forEach((d) => (w.addUdp(d), reference.addUdp(d)));
        // What was handed out before the later records is still the file as it was then.
        expect(toHex(concat(early))).toBe(earlyBytes);
        const parts = w.parts();
        expect(toHex(concat(parts))).toBe(toHex(w.toBytes()));
        expect(toHex(w.toBytes())).toBe(toHex(reference.toBytes()));
        expect(decodeUdpCapture(w.toBytes()).map((d) => toHex(d.payload))).toEqual(datagrams.map((d) => toHex(d.payload)));
        expect(w.recordCount).toBe(datagrams.length);
      }),
    );
  });

  it('hands a large capture out in chunks of about a megabyte, not a part per record', () => {
    const w = new PcapWriter();
    const payload = new Uint8Array(200);
    for (let i = 0; i < 20_000; i++) w.addUdp({ timestampMs: 1_000 + i, src: { ip: '10.0.0.1', port: 6084 }, dst: { ip: '10.0.0.2', port: 6084 }, payload });
    const parts = w.parts();
    const size = concat(parts).length;
    // 20,000 × (16 + 20 + 8 + 200) bytes + the header: 4.9 MB.
    expect(size).toBe(24 + 20_000 * 244);
    expect(parts.length).toBe(1 + Math.ceil((20_000 * 244) / (Math.floor((1 << 20) / 244) * 244)));
  });

  it('raises nothing but DecodeError on mutated files', () => {
    const w = new PcapWriter()
      .addUdp({ timestampMs: 1, src: { ip: '192.0.2.1', port: 6084 }, dst: { ip: '192.0.2.2', port: 6084 }, payload: hex('d2454c4f') })
      .addUdp({ timestampMs: 2, src: { ip: 'fe80::1', port: 6084 }, dst: { ip: 'fe80::2', port: 6084 }, payload: hex('00') });
    const good = w.toBytes();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat(good.length), (edits, cut) => {
        const bad = good.slice(0, cut);
        for (const [at, v] of edits) if (at < bad.length) bad[at] = v;
        expectOnlyDecodeError(() => decodeUdpCapture(bad));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Bytes of an IP address text, for comparing IPv6 written differently. */
function normalise(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

describe('decodePcapFile', () => {
  it('reads a big-endian nanosecond file by hand and writes it back unchanged', () => {
    const bytes = hex(
      'a1b23c4d 0002 0004 fffffff0 00000000 0000ffff 00000065' + // BE, ns, 2.4, thiszone -16, snaplen 65535, RAW
        '00000001 3b9ac9ff 00000020 00000020' + // ts 1.999999999, 32 bytes
        IPV4_UDP,
    );
    const file = decodePcapFile(bytes);
    expect({ ...file, records: undefined }).toEqual({
      byteOrder: 'big',
      precision: 'nanoseconds',
      versionMajor: 2,
      versionMinor: 4,
      thiszone: -16,
      sigfigs: 0,
      snaplen: 65535,
      network: LinkType.LINKTYPE_RAW,
      records: undefined,
    });
    expect(file.records).toHaveLength(1);
    expect(file.records[0]).toMatchObject({ tsSec: 1, tsFraction: 999_999_999, origLen: 32 });
    const [udp] = extractUdpDatagrams(file);
    expect(udp).toMatchObject({ recordIndex: 0, src: { ip: '192.0.2.1', port: 6084 }, dst: { ip: '198.51.100.2', port: 9 }, truncated: false });
    expect(udp!.timestampMs).toBeCloseTo(1999.999999, 6);
    expect(toHex(udp!.payload)).toBe('01020304');
    expect(toHex(encodePcapFile(file))).toBe(toHex(bytes));
  });

  it('does not alias the input', () => {
    const bytes = hex(leHeader(101) + leRecord(32) + IPV4_UDP);
    const [udp] = decodeUdpCapture(bytes);
    bytes[bytes.length - 1] = 0xff;
    expect(toHex(udp!.payload)).toBe('01020304');
  });

  it.each([
    ['an empty file', '', 'PcapFile.magicNumber', 0, /needs 4 bytes/],
    ['a pcapng file', '0a0d0d0a 1c000000 4d3c2b1a', 'PcapFile.magicNumber', 0, /pcapng.*editcap -F pcap/],
    ['an unknown magic', '7f454c46 02010100', 'PcapFile.magicNumber', 0, /not a pcap file \(magic number 0x7f454c46\)/],
    ['a Kuznetzov file', '34cdb2a1 0200 0400', 'PcapFile.magicNumber', 0, /not supported/],
    ['a short file header', 'd4c3b2a1 0200 0400', 'PcapFile.versionMajor', 4, /header needs 24 bytes/],
    ['version 1', 'd4c3b2a1 0100 0000 00000000 00000000 00000400 65000000', 'PcapFile.versionMajor', 4, /version 1\.0/],
    ['half a record header', leHeader(101) + '01000000 02000000', 'PcapFile.records[0].tsSec', 24, /needs 16 bytes but only 8 remain/],
    ['incl_len past the end', leHeader(101) + leRecord(33) + IPV4_UDP, 'PcapFile.records[0].inclLen', 32, /length 33 exceeds the 32 bytes/],
    ['incl_len above orig_len', leHeader(101) + leRecord(32, 31) + IPV4_UDP, 'PcapFile.records[0].inclLen', 32, /exceeds the original length 31/],
    [
      'microseconds ≥ 1e6',
      leHeader(101) + '01000000 40420f00 00000000 00000000',
      'PcapFile.records[0].tsFraction',
      28,
      /1000000 is not below 1000000/,
    ],
    [
      'a second record cut short',
      leHeader(101) + leRecord(32) + IPV4_UDP + '00000000',
      'PcapFile.records[1].tsSec',
      72,
      /needs 16 bytes but only 4 remain/,
    ],
  ])('rejects %s', (_name, text, path, offset, message) => expectRejected(decodePcapFile, text, path, offset, message));
});

describe('extractUdpDatagrams', () => {
  const ETH = 'ffffffffffff 020000000001';
  const records = (linkType: number, ...frames: string[]) =>
    hex(leHeader(linkType) + frames.map((f) => leRecord(hex(f).length) + f).join(''));

  it.each([
    ['Ethernet', LinkType.LINKTYPE_ETHERNET, `${ETH} 0800 ${IPV4_UDP}`],
    ['Ethernet with padding after the IP packet', LinkType.LINKTYPE_ETHERNET, `${ETH} 0800 ${IPV4_UDP} 000000000000`],
    ['Ethernet with an 802.1Q tag', LinkType.LINKTYPE_ETHERNET, `${ETH} 8100 0064 0800 ${IPV4_UDP}`],
    ['Linux cooked (SLL)', LinkType.LINKTYPE_LINUX_SLL, `0000 0304 0006 000000000000 0000 0800 ${IPV4_UDP}`],
    ['Linux cooked v2 (SLL2)', LinkType.LINKTYPE_LINUX_SLL2, `0800 0000 00000001 0304 00 06 0000000000000000 ${IPV4_UDP}`],
    ['BSD loopback (NULL)', LinkType.LINKTYPE_NULL, `02000000 ${IPV4_UDP}`],
    ['LINKTYPE_IPV4', LinkType.LINKTYPE_IPV4, IPV4_UDP],
  ])('finds the datagram behind %s', (_name, linkType, frame) => {
    const [udp, ...rest] = decodeUdpCapture(records(linkType, frame));
    expect(rest).toEqual([]);
    expect(udp).toMatchObject({ src: { ip: '192.0.2.1', port: 6084 }, dst: { ip: '198.51.100.2', port: 9 }, truncated: false });
    expect(udp!.payload).toEqual(hex('01020304'));
  });

  it('skips records that are not UDP, and IP fragments', () => {
    const tcp = IPV4_UDP.replace('40118e95', '40068e95');
    const moreFragments = IPV4_UDP.replace('00010000', '00012000');
    const laterFragment = IPV4_UDP.replace('00010000', '00010001');
    const arp = `${ETH} 0806 0001080006040001`;
    const found = decodeUdpCapture(
      records(LinkType.LINKTYPE_ETHERNET, `${ETH} 0800 ${tcp}`, `${ETH} 0800 ${moreFragments}`, `${ETH} 0800 ${laterFragment}`, arp, `${ETH} 0800 ${IPV4_UDP}`),
    );
    expect(found.map((d) => d.recordIndex)).toEqual([4]);
  });

  it('steps over IPv6 extension headers', () => {
    // IPv6, next header 0 (hop-by-hop, 8 bytes, next 17), then UDP 1234 → 9 with payload "hi".
    const packet =
      '6000000000120040' + '20010db8000000000000000000000001' + '20010db8000000000000000000000002' + '1100010400000000' + '04d20009000a0000 6869';
    const [udp] = decodeUdpCapture(records(LinkType.LINKTYPE_RAW, packet));
    expect(udp).toMatchObject({ src: { ip: '2001:db8::1', port: 1234 }, dst: { ip: '2001:db8::2', port: 9 } });
    expect(udp!.payload).toEqual(hex('6869'));
  });

  it('marks a datagram cut by the snaplen as truncated', () => {
    const bytes = hex(leHeader(101) + leRecord(30, 32) + IPV4_UDP.replace(/\s/g, '').slice(0, 60));
    const [udp] = decodeUdpCapture(bytes);
    expect(udp).toMatchObject({ truncated: true, src: { port: 6084 } });
    expect(udp!.payload).toEqual(hex('0102'));
  });

  it('skips a record cut before the UDP header ends', () => {
    const bytes = hex(leHeader(101) + leRecord(24, 32) + IPV4_UDP.replace(/\s/g, '').slice(0, 48));
    expect(decodeUdpCapture(bytes)).toEqual([]);
  });

  it.each([
    ['an unsupported link type', leHeader(147) + leRecord(32) + IPV4_UDP, 'PcapFile.network', 20, /link type 147 is not supported/],
    ['IP version 5', leHeader(101) + leRecord(32) + '55' + IPV4_UDP.slice(2), 'PcapFile.records[0].IpHeader.version', 40, /IP version 5/],
    ['an IPv4 header length of 16', leHeader(101) + leRecord(32) + '44' + IPV4_UDP.slice(2), 'PcapFile.records[0].Ipv4Header.ihl', 40, /less than 20/],
    [
      'an IPv4 total length past the capture',
      leHeader(101) + leRecord(32) + IPV4_UDP.replace('45000020', '45000021'),
      'PcapFile.records[0].Ipv4Header.totalLength',
      42,
      /total length 33 exceeds the 32 bytes captured/,
    ],
    [
      'a UDP length past the IP packet',
      leHeader(101) + leRecord(32) + IPV4_UDP.replace('000cf7cb', '000df7cb'),
      'PcapFile.records[0].UdpHeader.length',
      64,
      /UDP length 13 is outside 8\.\.12/,
    ],
    [
      'a UDP length below 8',
      leHeader(101) + leRecord(32) + IPV4_UDP.replace('000cf7cb', '0007f7cb'),
      'PcapFile.records[0].UdpHeader.length',
      64,
      /UDP length 7/,
    ],
    ['a short IPv4 header', leHeader(101) + leRecord(4) + '45000004', 'PcapFile.records[0].Ipv4Header.ihl', 40, /needs 20 bytes/],
  ])('rejects %s', (_name, text, path, offset, message) => expectRejected(decodeUdpCapture, text, path, offset, message));

  it('reads the same packets whatever the byte order', () => {
    const le = hex(leHeader(101) + leRecord(32) + IPV4_UDP);
    const be = hex('a1b2c3d4 0002 0004 00000000 00000000 00040000 00000065' + '00000001 00000002 00000020 00000020' + IPV4_UDP);
    expect(decodeUdpCapture(be)).toEqual(decodeUdpCapture(le));
    expect(decodeUdpCapture(le)[0]!.timestampMs).toBeCloseTo(1000.002, 9);
  });
});

describe('encodePcapFile', () => {
  const file: PcapFile = {
    byteOrder: 'little',
    precision: 'microseconds',
    versionMajor: 2,
    versionMinor: 4,
    thiszone: 0,
    sigfigs: 0,
    snaplen: 65535,
    network: 101,
    records: [{ tsSec: 0, tsFraction: 0, origLen: 4, data: new Uint8Array(4) }],
  };
  it.each([
    ['a fraction of a second too big', { records: [{ tsSec: 0, tsFraction: 1_000_000, origLen: 0, data: new Uint8Array() }] }, 'PcapFile.records[0].tsFraction'],
    ['orig_len below the captured bytes', { records: [{ tsSec: 0, tsFraction: 0, origLen: 3, data: new Uint8Array(4) }] }, 'PcapFile.records[0].origLen'],
    ['a fractional thiszone', { thiszone: 0.5 }, 'PcapFile.thiszone'],
    ['a negative snaplen', { snaplen: -1 }, 'PcapFile.snaplen'],
  ])('rejects %s', (_name, change, field) => {
    expect(() => encodePcapFile({ ...file, ...change })).toThrow(EncodeError);
    try {
      encodePcapFile({ ...file, ...change });
    } catch (e) {
      expect((e as EncodeError).field).toBe(field);
    }
  });
});

/** The parts as one file. */
const concat = (parts: readonly Uint8Array[]): Uint8Array => concatBytes(...parts);
