import { describe, expect, it } from 'vitest';
import { EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import fc from 'fast-check';
import { DecodeError } from './codec/decode-error.js';
import {
  DATA_FRAME_HEADER_SIZE,
  FramedMessageType,
  MAX_FRAMED_MESSAGE_SIZE,
  decodeFramedMessage,
  encodeAckFrame,
  encodeDataFrame,
  encodeFramedMessage,
  frameSequence,
  plainFrameType,
  type FramedMessage,
} from './framing.js';
import { arbFramedMessage } from './testing/envelope.arb.js';
import { decodeErrorPath, hex, roundTrips } from './testing/codec-test-kit.js';

describe('FramedMessage (RFC 6940 §6.6.2) vectors', () => {
  const rows: { name: string; hex: string; value: FramedMessage }[] = [
    {
      name: 'data: type 128, sequence 0, message<0..2^24-1> of 3 bytes',
      hex: ['80', '00000000', '000003', 'd2454c'].join(''),
      value: { kind: 'data', sequence: 0, message: hex('d2454c') },
    },
    {
      name: 'data with an empty message and the largest sequence',
      hex: ['80', 'ffffffff', '000000'].join(''),
      value: { kind: 'data', sequence: 0xffffffff, message: new Uint8Array(0) },
    },
    {
      name: 'ack: type 129, ack_sequence 5, received bitmask 0x80000001',
      hex: ['81', '00000005', '80000001'].join(''),
      value: { kind: 'ack', ackSequence: 5, received: 0x80000001 },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const bytes = hex(row.hex);
      expect(decodeFramedMessage(bytes)).toEqual(row.value);
      expect(toHex(encodeFramedMessage(row.value))).toBe(toHex(bytes));
    });
  }

  it('has the RFC type codes', () => {
    expect(FramedMessageType).toEqual({ data: 128, ack: 129 });
  });

  it('a 300-byte message uses all three length bytes', () => {
    const b = encodeFramedMessage({ kind: 'data', sequence: 1, message: new Uint8Array(300) });
    expect(toHex(b.slice(0, 8))).toBe('8000000001' + '00012c');
  });
});

describe('FramedMessage failures', () => {
  const rows: { name: string; hex: string; path: string }[] = [
    { name: 'unknown type 0x82', hex: '82 00000000 00000000', path: 'FramedMessage.type' },
    { name: 'type 0', hex: '00', path: 'FramedMessage.type' },
    { name: 'empty input', hex: '', path: 'FramedMessage.type' },
    { name: 'data message length overruns', hex: '80 00000001 000004 aabbcc', path: 'FramedMessage.message' },
    { name: 'data cut inside sequence', hex: '80 0000', path: 'FramedMessage.sequence' },
    { name: 'ack cut inside received', hex: '81 00000005 8000', path: 'FramedMessage.received' },
    { name: 'trailing byte after an ack', hex: '81 00000005 80000001 00', path: 'FramedMessage' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeFramedMessage(hex(row.hex)))).toBe(row.path);
    });
  }

  it('refuses values the wire cannot carry', () => {
    expect(() => encodeFramedMessage({ kind: 'data', sequence: -1, message: new Uint8Array(0) })).toThrow(EncodeError);
    expect(() => encodeFramedMessage({ kind: 'ack', ackSequence: 2 ** 32, received: 0 })).toThrow(EncodeError);
    expect(() => encodeFramedMessage({ kind: 'data', sequence: 0, message: new Uint8Array(MAX_FRAMED_MESSAGE_SIZE + 1) })).toThrow(EncodeError);
  });
});

describe('FramedMessage properties', () => {
  it('decode(encode(x)) equals x and encode(decode(b)) equals b', () => {
    roundTrips(arbFramedMessage, encodeFramedMessage, decodeFramedMessage, { damage: false });
  });
});

describe('FramedMessage per-frame fast path (plainFrameType, frameSequence, encodeDataFrame, encodeAckFrame)', () => {
  const encodeFast = (v: FramedMessage) => (v.kind === 'data' ? encodeDataFrame(v.sequence, v.message) : encodeAckFrame(v.ackSequence, v.received));
  const outcome = (f: () => FramedMessage) => {
    try {
      return { ok: f() };
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return { path: e.path, offset: e.offset, reason: e.reason };
    }
  };

  it('encodes byte for byte what encodeFramedMessage encodes', () => {
    fc.assert(
      fc.property(arbFramedMessage, (v) => {
        expect(toHex(encodeFast(v))).toBe(toHex(encodeFramedMessage(v)));
      }),
    );
  });

  it('plainFrameType and frameSequence read in place what decodeFramedMessage decodes, and refuse what it refuses', () => {
    const frames = fc.oneof(arbFramedMessage.map(encodeFramedMessage), fc.uint8Array({ maxLength: 24 }), arbFramedMessage.chain((v) => fc.nat(20).map((cut) => encodeFramedMessage(v).subarray(cut))));
    fc.assert(
      fc.property(frames, (b) => {
        let v: FramedMessage | undefined;
        try {
          v = decodeFramedMessage(b);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
        const type = plainFrameType(b);
        if (v === undefined) {
          expect(type).toBeUndefined();
        } else {
          expect(type).toBe(FramedMessageType[v.kind]);
          expect(frameSequence(b)).toBe(v.kind === 'data' ? v.sequence : v.ackSequence);
          if (v.kind === 'data') expect(toHex(b.subarray(DATA_FRAME_HEADER_SIZE))).toBe(toHex(v.message));
        }
      }),
    );
  });

  it('refuses the values encodeFramedMessage refuses', () => {
    expect(() => encodeDataFrame(-1, new Uint8Array(0))).toThrow(EncodeError);
    expect(() => encodeDataFrame(0, new Uint8Array(MAX_FRAMED_MESSAGE_SIZE + 1))).toThrow(EncodeError);
    expect(() => encodeAckFrame(2 ** 32, 0)).toThrow(EncodeError);
    expect(() => encodeAckFrame(0, 1.5)).toThrow(EncodeError);
  });
});
