import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EncodeError } from '../codec/decode-error.js';
import {
  CandType,
  OverlayLinkType,
  decodeAttachReqAns,
  encodeAttachReqAns,
  iceCandidateFromSdp,
  iceCandidateToSdp,
  type AttachReqAns,
  type IceCandidate,
} from './attach.js';
import { arbAttachReqAns, arbSdpIceCandidate } from '../testing/methods.arb.js';
import { ascii, damageRaisesOnlyDecodeError, decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

const v4 = (a: string, port: number) => ({ kind: 'ipv4', address: Uint8Array.from(a.split('.').map(Number)), port }) as const;

const hostCandidate: IceCandidate = {
  addrPort: v4('192.0.2.1', 8080),
  overlayLink: OverlayLinkType.DTLS_UDP_SR,
  foundation: ascii('1'),
  priority: 2113929471,
  type: CandType.host,
  extensions: [],
};

const srflxCandidate: IceCandidate = {
  addrPort: v4('203.0.113.5', 45678),
  overlayLink: OverlayLinkType.DTLS_UDP_SR,
  foundation: ascii('2'),
  priority: 1694498815,
  type: CandType.srflx,
  relAddrPort: v4('192.0.2.1', 8080),
  extensions: [{ name: ascii('generation'), value: ascii('0') }],
};

// RFC 6940 §6.5.1.1 AttachReqAns with a host and a srflx candidate.
const hostAndSrflx = h(
  '04 75667267', // ufrag<0..2^8-1> = "ufrg"
  '04 70617373', // password<0..2^8-1> = "pass"
  '07 70617373697665', // role<0..2^8-1> = "passive"
  '003b', // candidates<0..2^16-1>: 59 bytes = 18 + 41
  // IceCandidate 1 (18 bytes)
  '01 06 c0000201 1f90', //   addr_port: ipv4_address, length 6, 192.0.2.1, port 8080
  '01', //                    overlay_link: DTLS-UDP-SR
  '01 31', //                 foundation<0..255> = "1"
  '7e0000ff', //              priority = 2113929471
  '01', //                    type: host (no rel_addr_port)
  '0000', //                  extensions<0..2^16-1>: none
  // IceCandidate 2 (41 bytes)
  '01 06 cb007105 b26e', //   addr_port: 203.0.113.5, port 45678
  '01', //                    overlay_link: DTLS-UDP-SR
  '01 32', //                 foundation = "2"
  '64ffffff', //              priority = 1694498815
  '02', //                    type: srflx
  '01 06 c0000201 1f90', //   rel_addr_port: 192.0.2.1:8080
  '000f', //                  extensions: 15 bytes
  '000a 67656e65726174696f6e', // IceExtension.name<0..2^16-1> = "generation"
  '0001 30', //                   IceExtension.value<0..2^16-1> = "0"
  '00', // send_update: False
);

// An IPv6 relay candidate; empty ufrag/password/role; send_update True.
const ipv6Relay = h(
  '00 00 00', // ufrag, password, role: empty
  '0031', // candidates: 49 bytes
  '02 12 20010db8000000000000000000000001 1388', // addr_port: ipv6_address, length 18, 2001:db8::1, port 5000
  '01', // overlay_link: DTLS-UDP-SR
  '00', // foundation: empty
  '00000000', // priority 0
  '04', // type: relay
  '02 12 20010db8000000000000000000000002 c350', // rel_addr_port: [2001:db8::2]:50000
  '0000', // extensions: none
  '01', // send_update: True
);

// A prflx candidate (CandType 3, see CandType's comment) carries rel_addr_port like srflx.
const prflx = h(
  '00 00 00', // ufrag, password, role
  '0019', // candidates: 25 bytes
  '01 06 0a000001 0050', // addr_port: 10.0.0.1:80
  '04', // overlay_link: TLS-TCP-FH-NO-ICE
  '00', // foundation: empty
  '00000001', // priority 1
  '03', // type: prflx
  '01 06 0a000002 0051', // rel_addr_port: 10.0.0.2:81
  '0000', // extensions
  '00', // send_update
);

describe('AttachReqAns vectors (RFC 6940 §6.5.1.1)', () => {
  const rows: { name: string; bytes: Uint8Array; value: AttachReqAns }[] = [
    {
      name: 'host + srflx',
      bytes: hostAndSrflx,
      value: { ufrag: ascii('ufrg'), password: ascii('pass'), role: ascii('passive'), candidates: [hostCandidate, srflxCandidate], sendUpdate: false },
    },
    {
      name: 'IPv6 relay',
      bytes: ipv6Relay,
      value: {
        ufrag: new Uint8Array(),
        password: new Uint8Array(),
        role: new Uint8Array(),
        candidates: [
          {
            addrPort: { kind: 'ipv6', address: h('20010db8000000000000000000000001'), port: 5000 },
            overlayLink: 1,
            foundation: new Uint8Array(),
            priority: 0,
            type: CandType.relay,
            relAddrPort: { kind: 'ipv6', address: h('20010db8000000000000000000000002'), port: 50000 },
            extensions: [],
          },
        ],
        sendUpdate: true,
      },
    },
    {
      name: 'prflx',
      bytes: prflx,
      value: {
        ufrag: new Uint8Array(),
        password: new Uint8Array(),
        role: new Uint8Array(),
        candidates: [
          {
            addrPort: v4('10.0.0.1', 80),
            overlayLink: OverlayLinkType.TLS_TCP_FH_NO_ICE,
            foundation: new Uint8Array(),
            priority: 1,
            type: CandType.prflx,
            relAddrPort: v4('10.0.0.2', 81),
            extensions: [],
          },
        ],
        sendUpdate: false,
      },
    },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(decodeAttachReqAns(row.bytes)).toEqual(row.value);
      expect(encodeAttachReqAns(row.value)).toEqual(row.bytes);
    });
  }
});

describe('AttachReqAns failures', () => {
  const withCandidateByte = (offsetInCandidate: number, value: number): Uint8Array => {
    const b = hostAndSrflx.slice();
    b[20 + offsetInCandidate] = value; // candidates start after 5 + 5 + 8 + 2 bytes
    return b;
  };
  const rows: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'unknown CandType 5', bytes: withCandidateByte(15, 5), path: 'AttachReqAns.candidates[0].IceCandidate.type' },
    { name: 'invalidCandType 0', bytes: withCandidateByte(15, 0), path: 'AttachReqAns.candidates[0].IceCandidate.type' },
    { name: 'invalidOverlayLinkType 0', bytes: withCandidateByte(8, 0), path: 'AttachReqAns.candidates[0].IceCandidate.overlayLink' },
    { name: 'IPv4 address with length 5', bytes: withCandidateByte(1, 5), path: 'AttachReqAns.candidates[0].IceCandidate.addrPort.length' },
    { name: 'send_update 2', bytes: h('000000 0000 02'), path: 'AttachReqAns.sendUpdate' },
    { name: 'candidates length past the end', bytes: h('000000 0010 0106'), path: 'AttachReqAns.candidates' },
    { name: 'candidate cut inside the list', bytes: h('000000 0004 01 06 c000 00'), path: 'AttachReqAns.candidates[0].IceCandidate.addrPort.length' },
    { name: 'trailing byte', bytes: h('000000 0000 00 ff'), path: 'AttachReqAns' },
    { name: 'ufrag longer than the input', bytes: h('09 7566'), path: 'AttachReqAns.ufrag' },
  ];
  for (const row of rows) {
    it(row.name, () => expect(decodeErrorPath(() => decodeAttachReqAns(row.bytes))).toBe(row.path));
  }

  it('refuses to encode a srflx candidate without rel_addr_port, or an overlay link of 0', () => {
    const noRel = { ...hostCandidate, type: CandType.srflx } as unknown as IceCandidate;
    expect(() => encodeAttachReqAns({ ufrag: new Uint8Array(), password: new Uint8Array(), role: new Uint8Array(), candidates: [noRel], sendUpdate: false })).toThrow(EncodeError);
    expect(() =>
      encodeAttachReqAns({ ufrag: new Uint8Array(), password: new Uint8Array(), role: new Uint8Array(), candidates: [{ ...hostCandidate, overlayLink: 0 }], sendUpdate: false }),
    ).toThrow(EncodeError);
  });
});

describe('AttachReqAns properties', () => {
  it('decode(encode(x)) equals x and encode(decode(b)) equals b', () => {
    roundTrips(arbAttachReqAns, encodeAttachReqAns, decodeAttachReqAns, { damage: false });
  });

  it('mutated or truncated bytes raise only DecodeError', () => {
    damageRaisesOnlyDecodeError(arbAttachReqAns, encodeAttachReqAns, decodeAttachReqAns);
  });
});

describe('SDP candidate attribute (RFC 8839 §5.1)', () => {
  it('parses a browser srflx candidate into the IceCandidate of the vector', () => {
    const parsed = iceCandidateFromSdp('candidate:2 1 udp 1694498815 203.0.113.5 45678 typ srflx raddr 192.0.2.1 rport 8080 generation 0');
    expect(parsed).toEqual({ ok: true, candidate: srflxCandidate });
  });

  it('accepts a leading a= and trailing CRLF', () => {
    expect(iceCandidateFromSdp('a=candidate:1 1 UDP 2113929471 192.0.2.1 8080 typ host\r\n')).toEqual({ ok: true, candidate: hostCandidate });
  });

  it('parses IPv6 and keeps extensions in order', () => {
    const parsed = iceCandidateFromSdp('candidate:3 1 udp 2122262783 2001:db8::1 5000 typ host generation 0 ufrag abcd network-id 2');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.candidate.addrPort).toEqual({ kind: 'ipv6', address: h('20010db8000000000000000000000001'), port: 5000 });
    expect(parsed.candidate.extensions.map((e) => [String.fromCharCode(...e.name), String.fromCharCode(...e.value)])).toEqual([
      ['generation', '0'],
      ['ufrag', 'abcd'],
      ['network-id', '2'],
    ]);
  });

  it('ignores raddr/rport on a host candidate (RFC 8839: they MUST be omitted)', () => {
    expect(iceCandidateFromSdp('candidate:1 1 udp 2113929471 192.0.2.1 8080 typ host raddr 0.0.0.0 rport 9')).toEqual({ ok: true, candidate: hostCandidate });
  });

  const refused: [string, string, RegExp][] = [
    ['mDNS name', 'candidate:1 1 udp 2113937151 4f0e5c8c-7d16-4e3f.local 54321 typ host generation 0', /not an IPv4 or IPv6/],
    ['component 2', 'candidate:1 2 udp 2113937151 192.0.2.1 5000 typ host', /component 2/],
    ['TCP (no default OverlayLinkType)', 'candidate:1 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active', /transport tcp/],
    ['srflx without raddr', 'candidate:2 1 udp 1694498815 203.0.113.5 45678 typ srflx', /needs raddr and rport/],
    ['unknown type', 'candidate:2 1 udp 1 203.0.113.5 45678 typ foo', /no CandType/],
    ['priority over 2^32', 'candidate:2 1 udp 4294967296 203.0.113.5 45678 typ host', /uint32/],
    ['not a candidate', 'a=ice-ufrag:abcd', /not a candidate/],
    ['dangling extension name', 'candidate:1 1 udp 1 192.0.2.1 5000 typ host generation', /no value/],
  ];
  for (const [name, line, reason] of refused) {
    it(`refuses ${name}`, () => {
      const parsed = iceCandidateFromSdp(line);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(reason);
    });
  }

  it('maps transports with a caller-supplied function', () => {
    const parsed = iceCandidateFromSdp('candidate:1 1 tcp 1 192.0.2.1 9 typ host tcptype active', { overlayLinkFor: (t) => (t === 'tcp' ? 5 : undefined) });
    expect(parsed.ok && parsed.candidate.overlayLink).toBe(5);
  });

  it('formats candidates', () => {
    expect(iceCandidateToSdp(hostCandidate)).toBe('candidate:1 1 UDP 2113929471 192.0.2.1 8080 typ host');
    expect(iceCandidateToSdp(srflxCandidate)).toBe('candidate:2 1 UDP 1694498815 203.0.113.5 45678 typ srflx raddr 192.0.2.1 rport 8080 generation 0');
    expect(() => iceCandidateToSdp({ ...hostCandidate, overlayLink: 5 })).toThrow(EncodeError);
    expect(() => iceCandidateToSdp({ ...hostCandidate, foundation: Uint8Array.of(0x20) })).toThrow(EncodeError);
  });

  it('parse(format(c)) equals c for every candidate SDP can express', () => {
    fc.assert(
      fc.property(arbSdpIceCandidate, (c) => {
        expect(iceCandidateFromSdp(iceCandidateToSdp(c))).toEqual({ ok: true, candidate: c });
      }),
    );
  });
});
