import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApplicationId, decodeAppAttachAns, decodeAppAttachReq, encodeAppAttachAns, encodeAppAttachReq, type AppAttachReq } from './app-attach.js';
import { CandType, OverlayLinkType } from './attach.js';
import { arbAppAttachAns, arbAppAttachReq } from '../testing/methods.arb.js';
import { ascii, decodeErrorPath, expectRoundTrip, hex as h } from '../testing/codec-test-kit.js';

// RFC 6940 §6.5.2.1 AppAttachReq for SIP (RFC 7904 §5): application sits between password and role.
const sipAppAttach = h(
  '02 6162', // ufrag = "ab"
  '02 6364', // password = "cd"
  '13c4', // application = 5060 (SIP)
  '06 616374697665', // role = "active"
  '0012', // candidates: 18 bytes
  '01 06 c0000201 1f90', //  addr_port 192.0.2.1:8080
  '01', //                   overlay_link DTLS-UDP-SR
  '01 31', //                foundation "1"
  '7e0000ff', //             priority 2113929471
  '01', //                   type host
  '0000', //                 extensions: none
);

const value: AppAttachReq = {
  ufrag: ascii('ab'),
  password: ascii('cd'),
  application: ApplicationId.SIP,
  role: ascii('active'),
  candidates: [
    {
      addrPort: { kind: 'ipv4', address: Uint8Array.of(192, 0, 2, 1), port: 8080 },
      overlayLink: OverlayLinkType.DTLS_UDP_SR,
      foundation: ascii('1'),
      priority: 2113929471,
      type: CandType.host,
      extensions: [],
    },
  ],
};

describe('AppAttachReq / AppAttachAns (RFC 6940 §6.5.2)', () => {
  it('decodes the SIP vector and re-encodes it byte for byte (req and ans share the layout)', () => {
    expect(decodeAppAttachReq(sipAppAttach)).toEqual(value);
    expect(encodeAppAttachReq(value)).toEqual(sipAppAttach);
    expect(decodeAppAttachAns(sipAppAttach)).toEqual(value);
    expect(encodeAppAttachAns(value)).toEqual(sipAppAttach);
  });

  it('an empty answer is five bytes', () => {
    const empty = { ufrag: new Uint8Array(), password: new Uint8Array(), application: 0, role: new Uint8Array(), candidates: [] };
    expect(encodeAppAttachAns(empty)).toEqual(h('00 00 0000 00 0000'));
  });

  const failures: { name: string; bytes: Uint8Array; decode: (b: Uint8Array) => unknown; path: string }[] = [
    { name: 'application cut short', bytes: h('00 00 13'), decode: decodeAppAttachReq, path: 'AppAttachReq.application' },
    { name: 'role past the end (answer)', bytes: h('00 00 13c4 05 61'), decode: decodeAppAttachAns, path: 'AppAttachAns.role' },
    { name: 'candidate with unknown type', bytes: sipAppAttach.map((b, i) => (i === 17 + 15 ? 9 : b)), decode: decodeAppAttachReq, path: 'AppAttachReq.candidates[0].IceCandidate.type' },
    { name: 'trailing byte', bytes: h('00 00 0000 00 0000 00'), decode: decodeAppAttachReq, path: 'AppAttachReq' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => row.decode(row.bytes))).toBe(row.path));
  }

  it('round-trips both ways', () => {
    fc.assert(
      fc.property(arbAppAttachReq, arbAppAttachAns, (req, ans) => {
        expectRoundTrip(req, encodeAppAttachReq, decodeAppAttachReq);
        expectRoundTrip(ans, encodeAppAttachAns, decodeAppAttachAns);
      }),
    );
  });
});
