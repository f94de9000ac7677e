import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { fromHex } from '../codec/hex.js';
import { MessageCode } from '../message-codes.js';
import {
  DIAGNOSTIC_PING_EXTENSION,
  DiagnosticKindId,
  decodeDiagnosticsRequest,
  decodeDiagnosticsResponse,
  decodePathTrackAns,
  decodePathTrackReq,
  diagnosticFlag,
  encodeDiagnosticsRequest,
  encodeDiagnosticsResponse,
  encodePathTrackAns,
  encodePathTrackReq,
  type DiagnosticsRequest,
  type DiagnosticsResponse,
  type PathTrackAns,
  type PathTrackReq,
} from './diagnostics.js';
import { arbDiagnosticsRequest, arbDiagnosticsResponse, arbPathTrackAns, arbPathTrackReq } from '../testing/methods.arb.js';
import { decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

const ID = '000102030405060708090a0b0c0d0e0f';
const EXPIRES = '0000018bcfe65260'; // 1700000060000 ms
const INITIATED = '0000018bcfe56800'; // 1700000000000 ms
const RECEIVED = '0000018bcfe569f4'; // 1700000000500 ms

// RFC 7851 §5.1 DiagnosticsRequest: ext_length, then the list with its own uint32 length.
const requestHex = [
  EXPIRES, // expiration (uint64 ms)
  INITIATED, // timestamp_initiated
  '0000000000000046', // dMFlags: STATUS_INFO 0x2 | ROUTING_TABLE_SIZE 0x4 | SOFTWARE_VERSION 0x40
  '00000008', // ext_length: 8 bytes of extensions
  '00000008', // diagnostic_extensions_list<0..2^32-1>: its own length, 8
  'f001', // DiagnosticExtension.kind: 0xF001 (local use)
  '00000002 abcd', // diagnostic_extension_contents<0..2^32-1>
];
const request: DiagnosticsRequest = {
  expiration: 1700000060000n,
  timestampInitiated: 1700000000000n,
  dMFlags: 0x46n,
  diagnosticExtensionsList: [{ kind: 0xf001, diagnosticExtensionContents: h('abcd') }],
};

// RFC 7851 §5.2 DiagnosticsResponse with three base kinds.
const responseHex = [
  EXPIRES, // expiration
  INITIATED, // timestamp_initiated (copied from the request)
  RECEIVED, // timestamp_received
  '62', // hop_counter: TTL 98
  '00000018', // ext_length: 24
  '00000018', // diagnostic_info_list<0..2^32-1>: 24
  '0001 0001 03', // STATUS_INFO, length 1, congestion level 3
  '0002 0004 00000010', // ROUTING_TABLE_SIZE, length 4, 16 peers
  '0006 0007 63702f302e3100', // SOFTWARE_VERSION, length 7, "cp/0.1" + "\0"
];
const response: DiagnosticsResponse = {
  expiration: 1700000060000n,
  timestampInitiated: 1700000000000n,
  timestampReceived: 1700000000500n,
  hopCounter: 98,
  diagnosticInfoList: [
    { kind: DiagnosticKindId.STATUS_INFO, value: 3 },
    { kind: DiagnosticKindId.ROUTING_TABLE_SIZE, value: 16 },
    { kind: DiagnosticKindId.SOFTWARE_VERSION, value: 'cp/0.1' },
  ],
};

// Every other kind of §5.3, plus a local-use kind kept opaque.
const everyKindHex = [
  EXPIRES,
  INITIATED,
  RECEIVED,
  '01', // hop_counter
  '0000009a', // ext_length: 154
  '0000009a', // list length: 154
  '0003 0008 0000000000000bb8', // PROCESS_POWER: 3000 MIPS
  '0004 0008 00000000000186a0', // UPSTREAM_BANDWIDTH: 100000 kbit/s
  '0005 0008 00000000000f4240', // DOWNSTREAM_BANDWIDTH: 1000000 kbit/s
  '0007 0008 0000000000015180', // MACHINE_UPTIME: 86400 s
  '0008 0008 0000000000000e10', // APP_UPTIME: 3600 s
  '0009 0008 0000000000010000', // MEMORY_FOOTPRINT: 65536 KiB
  '000a 0008 0000000000100000', // DATASIZE_STORED: 1 MiB
  '000b 000c 00000001 0000000000000003', // INSTANCES_STORED: Kind-ID 1 (SIP-REGISTRATION) → 3
  '000c 0012 0017 0000000000000005 0000000000000004', // MESSAGES_SENT_RCVD: ping_req (0x17) sent 5, received 4
  '000d 0004 000003e8', // EWMA_BYTES_SENT: 1000 B/s
  '000e 0004 000007d0', // EWMA_BYTES_RCVD: 2000 B/s
  '000f 0001 05', // UNDERLAY_HOP: 5
  '0010 0001 80', // BATTERY_STATUS: leftmost bit set (not on battery)
  'f00d 0002 beef', // local-use kind: opaque
];
const everyKind: DiagnosticsResponse = {
  expiration: 1700000060000n,
  timestampInitiated: 1700000000000n,
  timestampReceived: 1700000000500n,
  hopCounter: 1,
  diagnosticInfoList: [
    { kind: DiagnosticKindId.PROCESS_POWER, value: 3000n },
    { kind: DiagnosticKindId.UPSTREAM_BANDWIDTH, value: 100000n },
    { kind: DiagnosticKindId.DOWNSTREAM_BANDWIDTH, value: 1000000n },
    { kind: DiagnosticKindId.MACHINE_UPTIME, value: 86400n },
    { kind: DiagnosticKindId.APP_UPTIME, value: 3600n },
    { kind: DiagnosticKindId.MEMORY_FOOTPRINT, value: 65536n },
    { kind: DiagnosticKindId.DATASIZE_STORED, value: 1048576n },
    { kind: DiagnosticKindId.INSTANCES_STORED, value: [{ kind: 1, instances: 3n }] },
    { kind: DiagnosticKindId.MESSAGES_SENT_RCVD, value: [{ messageCode: MessageCode.ping_req, sent: 5n, received: 4n }] },
    { kind: DiagnosticKindId.EWMA_BYTES_SENT, value: 1000 },
    { kind: DiagnosticKindId.EWMA_BYTES_RCVD, value: 2000 },
    { kind: DiagnosticKindId.UNDERLAY_HOP, value: 5 },
    { kind: DiagnosticKindId.BATTERY_STATUS, value: 0x80 },
    { kind: 0xf00d, unknown: h('beef') },
  ],
};

describe('RFC 7851 registries', () => {
  it('maps kinds to dMFlags bits (§9.1) and names the Ping extension (§9.5)', () => {
    expect(diagnosticFlag(DiagnosticKindId.STATUS_INFO)).toBe(0x2n);
    expect(diagnosticFlag(DiagnosticKindId.SOFTWARE_VERSION)).toBe(0x40n);
    expect(diagnosticFlag(DiagnosticKindId.BATTERY_STATUS)).toBe(0x10000n);
    expect(DIAGNOSTIC_PING_EXTENSION).toBe(0x2);
    expect(MessageCode.path_track_req).toBe(0x27);
    expect(MessageCode.path_track_ans).toBe(0x28);
  });
});

describe('DiagnosticsRequest / DiagnosticsResponse (RFC 7851 §5)', () => {
  const rows: { name: string; bytes: Uint8Array; decode: (b: Uint8Array) => unknown; encode: (v: never) => Uint8Array; value: unknown }[] = [
    { name: 'request (also Diagnostic_Ping contents)', bytes: h(...requestHex), decode: decodeDiagnosticsRequest, encode: encodeDiagnosticsRequest, value: request },
    {
      name: 'request without extensions: both lengths 0',
      bytes: h(EXPIRES, INITIATED, 'ffffffffffffffff', '00000000', '00000000'),
      decode: decodeDiagnosticsRequest,
      encode: encodeDiagnosticsRequest,
      value: { ...request, dMFlags: 0xffffffffffffffffn, diagnosticExtensionsList: [] },
    },
    { name: 'response, three base kinds', bytes: h(...responseHex), decode: decodeDiagnosticsResponse, encode: encodeDiagnosticsResponse, value: response },
    { name: 'response, every other kind', bytes: h(...everyKindHex), decode: decodeDiagnosticsResponse, encode: encodeDiagnosticsResponse, value: everyKind },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(row.decode(row.bytes)).toEqual(row.value);
      expect(row.encode(row.value as never)).toEqual(row.bytes);
    });
  }

  const info = (...entry: string[]) => h(EXPIRES, INITIATED, RECEIVED, '00', ...entry);
  const withList = (entryHex: string) => {
    const n = (fromHex(entryHex) ?? new Uint8Array()).length.toString(16).padStart(8, '0');
    return info(n, n, entryHex);
  };
  const I = 'DiagnosticsResponse.diagnosticInfoList[0].DiagnosticInfo';
  const failures: { name: string; run: () => unknown; path: string }[] = [
    {
      name: 'ext_length differs from the list length',
      run: () => decodeDiagnosticsRequest(h(EXPIRES, INITIATED, '0000000000000000', '00000000', '00000008', 'f001 00000002 abcd')),
      path: 'DiagnosticsRequest.extLength',
    },
    {
      name: 'a base kind in the extensions list',
      run: () => decodeDiagnosticsRequest(h(EXPIRES, INITIATED, '0000000000000000', '00000006', '00000006', '0001 00000000')),
      path: 'DiagnosticsRequest.diagnosticExtensionsList[0].DiagnosticExtension.kind',
    },
    {
      name: 'request without the list length',
      run: () => decodeDiagnosticsRequest(h(EXPIRES, INITIATED, '0000000000000000', '00000000')),
      path: 'DiagnosticsRequest.diagnosticExtensionsList',
    },
    { name: 'STATUS_INFO of 2 bytes', run: () => decodeDiagnosticsResponse(withList('0001 0002 0300')), path: `${I}.diagnosticInfoContents` },
    { name: 'ROUTING_TABLE_SIZE of 3 bytes', run: () => decodeDiagnosticsResponse(withList('0002 0003 000010')), path: `${I}.diagnosticInfoContents.value` },
    { name: 'SOFTWARE_VERSION without "\\0"', run: () => decodeDiagnosticsResponse(withList('0006 0002 6370')), path: `${I}.diagnosticInfoContents.value` },
    { name: 'SOFTWARE_VERSION not US-ASCII', run: () => decodeDiagnosticsResponse(withList('0006 0003 63c300')), path: `${I}.diagnosticInfoContents.value` },
    { name: 'SOFTWARE_VERSION with an inner "\\0"', run: () => decodeDiagnosticsResponse(withList('0006 0003 630000')), path: `${I}.diagnosticInfoContents.value` },
    { name: 'reserved kind 0', run: () => decodeDiagnosticsResponse(withList('0000 0000')), path: `${I}.kind` },
    {
      name: 'INSTANCES_STORED of 13 bytes',
      run: () => decodeDiagnosticsResponse(withList('000b 000d 00000001 0000000000000003 00')),
      path: `${I}.diagnosticInfoContents[1].kind`,
    },
    { name: 'hop_counter missing', run: () => decodeDiagnosticsResponse(h(EXPIRES, INITIATED, RECEIVED)), path: 'DiagnosticsResponse.hopCounter' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(row.run)).toBe(row.path));
  }

  it('refuses values the wire cannot carry', () => {
    expect(() => encodeDiagnosticsRequest({ ...request, diagnosticExtensionsList: [{ kind: 0x3f, diagnosticExtensionContents: new Uint8Array() }] })).toThrow(EncodeError);
    const bad = (d: DiagnosticsResponse['diagnosticInfoList'][number]) => () => encodeDiagnosticsResponse({ ...response, diagnosticInfoList: [d] });
    expect(bad({ kind: DiagnosticKindId.SOFTWARE_VERSION, value: 'é' })).toThrow(EncodeError);
    expect(bad({ kind: DiagnosticKindId.STATUS_INFO, value: 256 })).toThrow(EncodeError);
    expect(bad({ kind: DiagnosticKindId.STATUS_INFO, unknown: new Uint8Array(1) })).toThrow(EncodeError);
    expect(bad({ kind: 0xffff, unknown: new Uint8Array(1) })).toThrow(EncodeError);
  });

  it('round-trips both ways', () => {
    roundTrips(arbDiagnosticsRequest, encodeDiagnosticsRequest, decodeDiagnosticsRequest);
    roundTrips(arbDiagnosticsResponse, encodeDiagnosticsResponse, decodeDiagnosticsResponse);
  });
});

describe('PathTrackReq / PathTrackAns (RFC 7851 §4.3.1)', () => {
  const reqBytes = h('01 10', ID, ...requestHex); // destination: node, length 16, Node-ID; then the DiagnosticsRequest
  const reqValue: PathTrackReq = { destination: { kind: 'node', nodeId: h(ID) }, request };
  const ansBytes = h('01 10', ID, ...responseHex); // next_hop: node; then the DiagnosticsResponse
  const ansValue: PathTrackAns = { nextHop: { kind: 'node', nodeId: h(ID) }, response };

  it('decode and re-encode byte for byte', () => {
    expect(decodePathTrackReq(reqBytes)).toEqual(reqValue);
    expect(encodePathTrackReq(reqValue)).toEqual(reqBytes);
    expect(decodePathTrackAns(ansBytes)).toEqual(ansValue);
    expect(encodePathTrackAns(ansValue)).toEqual(ansBytes);
  });

  it('name the failing part', () => {
    expect(decodeErrorPath(() => decodePathTrackReq(h('00 10', ID, ...requestHex)))).toBe('PathTrackReq.destination.Destination.type');
    expect(decodeErrorPath(() => decodePathTrackReq(reqBytes.subarray(0, reqBytes.length - 1)))).toBe(
      'PathTrackReq.request.DiagnosticsRequest.diagnosticExtensionsList',
    );
    expect(decodeErrorPath(() => decodePathTrackAns(h('01 10', ID, EXPIRES, INITIATED, RECEIVED)))).toBe('PathTrackAns.response.DiagnosticsResponse.hopCounter');
    expect(decodeErrorPath(() => decodePathTrackAns(h('01 10', ID, ...responseHex, '00')))).toBe('PathTrackAns');
  });

  it('round-trip both ways', () => {
    roundTrips(arbPathTrackReq, encodePathTrackReq, decodePathTrackReq);
    roundTrips(arbPathTrackAns, encodePathTrackAns, decodePathTrackAns);
  });
});
