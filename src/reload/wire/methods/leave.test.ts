import { describe, expect, it } from 'vitest';
import { decodeLeaveAns, decodeLeaveReq, encodeLeaveAns, encodeLeaveReq } from './leave.js';
import { ChordLeaveType, decodeChordLeaveData, encodeChordLeaveData } from './chord.js';
import { arbLeaveReq } from '../testing/methods.arb.js';
import { decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

const LEAVING = '0102030405060708090a0b0c0d0e0f10';
const SUCC = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';

describe('LeaveReq / LeaveAns (RFC 6940 §6.4.2.2)', () => {
  it('a chord-reload LeaveReq carries ChordLeaveData in overlay_specific_data (§10.9)', () => {
    const bytes = h(
      LEAVING, // leaving_peer_id
      '0013', // overlay_specific_data<0..2^16-1>: 19 bytes
      '01', //   ChordLeaveData.type: from_succ
      '0010', // successors<0..2^16-1>: 16 bytes
      SUCC, //   one Node-ID
    );
    const leave = decodeLeaveReq(bytes);
    expect(leave.leavingPeerId).toEqual(h(LEAVING));
    expect(decodeChordLeaveData(leave.overlaySpecificData)).toEqual({ type: ChordLeaveType.from_succ, successors: [h(SUCC)] });
    const value = { leavingPeerId: h(LEAVING), overlaySpecificData: encodeChordLeaveData({ type: 1, successors: [h(SUCC)] }) };
    expect(encodeLeaveReq(value)).toEqual(bytes);
  });

  it('LeaveAns is a zero-length body (rfc6940-readings #9)', () => {
    expect(encodeLeaveAns()).toEqual(new Uint8Array());
    expect(decodeLeaveAns(new Uint8Array())).toEqual({});
    expect(decodeErrorPath(() => decodeLeaveAns(h('00')))).toBe('LeaveAns');
    expect(decodeErrorPath(() => decodeLeaveAns(h('0000')))).toBe('LeaveAns');
  });

  it('fails on a truncated LeaveReq', () => {
    expect(decodeErrorPath(() => decodeLeaveReq(h(LEAVING, '00')))).toBe('LeaveReq.overlaySpecificData');
    expect(decodeErrorPath(() => decodeLeaveReq(h(LEAVING, '0002 00')))).toBe('LeaveReq.overlaySpecificData');
    expect(decodeErrorPath(() => decodeLeaveReq(h('0102')))).toBe('LeaveReq.leavingPeerId');
  });

  it('round-trips both ways', () => {
    roundTrips(arbLeaveReq, encodeLeaveReq, decodeLeaveReq, { damage: false });
  });
});
