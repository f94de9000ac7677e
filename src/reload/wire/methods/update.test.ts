import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from '../codec/decode-error.js';
import { fromHex } from '../codec/hex.js';
import { decodeUpdateAns, decodeUpdateReq, encodeUpdateAns, encodeUpdateReq } from './update.js';
import { decodeChordUpdate } from './chord.js';
import { arbUpdateReq } from '../testing/methods.arb.js';

const h = (...parts: string[]): Uint8Array => fromHex(parts.join('')) ?? new Uint8Array();

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
    try {
      decodeUpdateAns(h('00'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).path).toBe('UpdateAns');
    }
  });

  it('round-trips both ways', () => {
    fc.assert(
      fc.property(arbUpdateReq, (v) => {
        const b = encodeUpdateReq(v);
        expect(decodeUpdateReq(b)).toEqual(v);
        expect(encodeUpdateReq(decodeUpdateReq(b))).toEqual(b);
      }),
    );
  });
});
