import { describe, expect, it } from 'vitest';
import { decodeUpdateAns, decodeUpdateReq, encodeUpdateAns, encodeUpdateReq } from './update.js';
import { decodeChordUpdate } from './chord.js';
import { arbUpdateReq } from '../testing/methods.arb.js';
import { decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

describe('UpdateReq / UpdateAns (RFC 6940 §6.4.2.3)', () => {
  it('UpdateReq is the whole body, with no length of its own (chord-reload: a ChordUpdate)', () => {
    const body = h(
      '0000003c', // ChordUpdate.uptime = 60 s
      '01', // type: peer_ready
    );
    const update = decodeUpdateReq(body);
    expect(update).toEqual({ overlaySpecificData: body });
    expect(decodeChordUpdate(update.overlaySpecificData)).toEqual({ uptime: 60, type: 1 });
    expect(encodeUpdateReq(update)).toEqual(body);
  });

  it('UpdateAns is a zero-length body (rfc6940-readings #9)', () => {
    expect(encodeUpdateAns()).toEqual(new Uint8Array());
    expect(decodeUpdateAns(new Uint8Array())).toEqual({});
    expect(decodeErrorPath(() => decodeUpdateAns(h('00')))).toBe('UpdateAns');
  });

  it('round-trips both ways', () => {
    roundTrips(arbUpdateReq, encodeUpdateReq, decodeUpdateReq, { damage: false });
  });
});
