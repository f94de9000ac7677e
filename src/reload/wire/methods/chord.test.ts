import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import {
  ChordLeaveType,
  ChordUpdateType,
  SELF_TUNING_DATA_EXTENSION,
  decodeChordLeaveData,
  decodeChordRouteQueryAns,
  decodeChordUpdate,
  decodeSelfTuningData,
  encodeChordLeaveData,
  encodeChordRouteQueryAns,
  encodeChordUpdate,
  encodeSelfTuningData,
  type ChordLeaveData,
  type ChordUpdate,
} from './chord.js';
import { arbChordLeaveData, arbChordRouteQueryAns, arbChordUpdate, arbSelfTuningData } from '../testing/methods.arb.js';
import { decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

const P1 = '10000000000000000000000000000001';
const S1 = '20000000000000000000000000000002';
const S2 = '30000000000000000000000000000003';
const F1 = 'f0000000000000000000000000000004';

describe('ChordUpdate (RFC 6940 §10.7)', () => {
  const rows: { name: string; bytes: Uint8Array; value: ChordUpdate }[] = [
    {
      name: 'full, with lists',
      bytes: h(
        '00000e10', // uptime: 3600 s, first (rfc6940-readings #6)
        '03', // type: full
        '0010', P1, // predecessors<0..2^16-1>: one Node-ID
        '0020', S1, S2, // successors: two Node-IDs
        '0010', F1, // fingers: one Node-ID
      ),
      value: { uptime: 3600, type: ChordUpdateType.full, predecessors: [h(P1)], successors: [h(S1), h(S2)], fingers: [h(F1)] },
    },
    {
      name: 'neighbors, empty lists',
      bytes: h('00000000', '02', '0000', '0000'), // uptime 0, neighbors, no predecessors, no successors
      value: { uptime: 0, type: ChordUpdateType.neighbors, predecessors: [], successors: [] },
    },
    {
      name: 'peer_ready',
      bytes: h('ffffffff', '01'), // uptime 2^32-1, peer_ready: nothing follows
      value: { uptime: 0xffffffff, type: ChordUpdateType.peer_ready },
    },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(decodeChordUpdate(row.bytes)).toEqual(row.value);
      expect(encodeChordUpdate(row.value)).toEqual(row.bytes);
    });
  }

  const failures: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'type 0', bytes: h('00000000 00'), path: 'ChordUpdate.type' },
    { name: 'unknown type 4', bytes: h('00000000 04'), path: 'ChordUpdate.type' },
    { name: 'uptime cut short', bytes: h('000000'), path: 'ChordUpdate.uptime' },
    { name: 'a 15-byte entry', bytes: h('00000000 02 000f', P1.slice(2), '0000'), path: 'ChordUpdate.predecessors[0].nodeId' },
    { name: 'a Node-ID and a half', bytes: h('00000000 02 0018', P1, '0000000000000000', '0000'), path: 'ChordUpdate.predecessors[1].nodeId' },
    { name: 'neighbors without successors', bytes: h('00000000 02 0000'), path: 'ChordUpdate.successors' },
    { name: 'full without fingers', bytes: h('00000000 03 0000 0000'), path: 'ChordUpdate.fingers' },
    { name: 'peer_ready with a trailing byte', bytes: h('00000000 01 00'), path: 'ChordUpdate' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => decodeChordUpdate(row.bytes))).toBe(row.path));
  }

  it('refuses Node-IDs that are not 16 bytes', () => {
    expect(() => encodeChordUpdate({ uptime: 0, type: 2, predecessors: [new Uint8Array(20)], successors: [] })).toThrow(EncodeError);
  });

  it('round-trips both ways', () => roundTrips(arbChordUpdate, encodeChordUpdate, decodeChordUpdate));
});

describe('ChordRouteQueryAns (RFC 6940 §10.8)', () => {
  it('is one Node-ID', () => {
    expect(decodeChordRouteQueryAns(h(S1))).toEqual({ nextPeer: h(S1) });
    expect(encodeChordRouteQueryAns({ nextPeer: h(S1) })).toEqual(h(S1));
    expect(decodeErrorPath(() => decodeChordRouteQueryAns(h(S1.slice(2))))).toBe('ChordRouteQueryAns.nextPeer');
    expect(decodeErrorPath(() => decodeChordRouteQueryAns(h(S1, '00')))).toBe('ChordRouteQueryAns');
  });

  it('round-trips both ways', () => roundTrips(arbChordRouteQueryAns, encodeChordRouteQueryAns, decodeChordRouteQueryAns));
});

describe('ChordLeaveData (RFC 6940 §10.9)', () => {
  const rows: { name: string; bytes: Uint8Array; value: ChordLeaveData }[] = [
    {
      name: 'from_succ',
      bytes: h('01', '0020', S1, S2), // type from_succ; successors<0..2^16-1>: two Node-IDs
      value: { type: ChordLeaveType.from_succ, successors: [h(S1), h(S2)] },
    },
    {
      name: 'from_pred',
      bytes: h('02', '0010', P1), // type from_pred; predecessors: one Node-ID
      value: { type: ChordLeaveType.from_pred, predecessors: [h(P1)] },
    },
    { name: 'from_pred, empty', bytes: h('02 0000'), value: { type: ChordLeaveType.from_pred, predecessors: [] } },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(decodeChordLeaveData(row.bytes)).toEqual(row.value);
      expect(encodeChordLeaveData(row.value)).toEqual(row.bytes);
    });
  }

  const failures: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'type 0', bytes: h('00 0000'), path: 'ChordLeaveData.type' },
    { name: 'unknown type 3', bytes: h('03 0000'), path: 'ChordLeaveData.type' },
    { name: 'partial second Node-ID', bytes: h('02 0011', P1, '00'), path: 'ChordLeaveData.predecessors[1].nodeId' },
    { name: 'list past the end', bytes: h('01 0020', S1), path: 'ChordLeaveData.successors' },
    { name: 'empty', bytes: new Uint8Array(), path: 'ChordLeaveData.type' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => decodeChordLeaveData(row.bytes))).toBe(row.path));
  }

  it('round-trips both ways', () => roundTrips(arbChordLeaveData, encodeChordLeaveData, decodeChordLeaveData));
});

describe('SelfTuningData (RFC 7363 §6.5)', () => {
  it('is three uint32 in a self_tuning_data (0x3) message extension', () => {
    expect(SELF_TUNING_DATA_EXTENSION).toBe(0x3);
    const bytes = h(
      '000003e8', // network_size 1000
      '00002984', // join_rate 10628 per 24 h (the RFC's 0.123 peers/s example)
      '00000005', // leave_rate 5 per 24 h
    );
    const value = { networkSize: 1000, joinRate: 10628, leaveRate: 5 };
    expect(decodeSelfTuningData(bytes)).toEqual(value);
    expect(encodeSelfTuningData(value)).toEqual(bytes);
    expect(decodeErrorPath(() => decodeSelfTuningData(bytes.subarray(0, 11)))).toBe('SelfTuningData.leaveRate');
  });

  it('round-trips both ways', () => roundTrips(arbSelfTuningData, encodeSelfTuningData, decodeSelfTuningData));
});
