import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { ProbeInformationType, decodeProbeAns, decodeProbeReq, encodeProbeAns, encodeProbeReq, type ProbeAns } from './probe.js';
import { arbProbeAns, arbProbeReq } from '../testing/methods.arb.js';
import { decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

describe('ProbeReq (RFC 6940 §6.4.2.5.1)', () => {
  it('requested_info is a one-byte-length list of one-byte types', () => {
    const bytes = h(
      '03', // requested_info<0..2^8-1>: 3 bytes
      '01 02 03', // responsible_set, num_resources, uptime
    );
    const value = { requestedInfo: [ProbeInformationType.responsible_set, ProbeInformationType.num_resources, ProbeInformationType.uptime] };
    expect(decodeProbeReq(bytes)).toEqual(value);
    expect(encodeProbeReq(value)).toEqual(bytes);
    expect(encodeProbeReq({ requestedInfo: [] })).toEqual(h('00'));
  });

  it('fails on type 0 and on a short list', () => {
    expect(decodeErrorPath(() => decodeProbeReq(h('02 03 00')))).toBe('ProbeReq.requestedInfo[1].type');
    expect(decodeErrorPath(() => decodeProbeReq(h('02 03')))).toBe('ProbeReq.requestedInfo');
    expect(() => encodeProbeReq({ requestedInfo: [0] })).toThrow(EncodeError);
  });

  it('round-trips both ways', () => {
    roundTrips(arbProbeReq, encodeProbeReq, decodeProbeReq, { damage: false });
  });
});

describe('ProbeAns (RFC 6940 §6.4.2.5.2)', () => {
  const bytes = h(
    '0016', // probe_info<0..2^16-1>: 22 bytes
    '01 04 000003e8', // responsible_set, length 4, responsible_ppb 1000
    '02 04 0000002a', // num_resources, length 4, 42
    '03 04 00015180', // uptime, length 4, 86400 s
    '04 02 abcd', // exp-probe (contents undefined by the RFC): kept opaque
  );
  const value: ProbeAns = {
    probeInfo: [
      { type: 1, responsiblePpb: 1000 },
      { type: 2, numResources: 42 },
      { type: 3, uptime: 86400 },
      { type: 4, unknown: h('abcd') },
    ],
  };

  it('decodes every type and re-encodes byte for byte', () => {
    expect(decodeProbeAns(bytes)).toEqual(value);
    expect(encodeProbeAns(value)).toEqual(bytes);
  });

  const failures: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'uptime of 3 bytes', bytes: h('0005 03 03 000151'), path: 'ProbeAns.probeInfo[0].ProbeInformation.value' },
    { name: 'uptime of 5 bytes', bytes: h('0007 03 05 0001518000'), path: 'ProbeAns.probeInfo[0].ProbeInformation.value' },
    { name: 'type 0', bytes: h('0006 00 04 00000000'), path: 'ProbeAns.probeInfo[0].ProbeInformation.type' },
    { name: 'value length past the list', bytes: h('0004 01 04 0000'), path: 'ProbeAns.probeInfo[0].ProbeInformation.length' },
    { name: 'list length past the end', bytes: h('0010 01 04 00000000'), path: 'ProbeAns.probeInfo' },
    { name: 'trailing byte', bytes: h('0000 00'), path: 'ProbeAns' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => decodeProbeAns(row.bytes))).toBe(row.path));
  }

  it('refuses to encode a known type as unknown', () => {
    expect(() => encodeProbeAns({ probeInfo: [{ type: 3, unknown: new Uint8Array(4) }] })).toThrow(EncodeError);
  });

  it('round-trips both ways, and mutations raise only DecodeError', () => {
    roundTrips(arbProbeAns, encodeProbeAns, decodeProbeAns);
  });
});
