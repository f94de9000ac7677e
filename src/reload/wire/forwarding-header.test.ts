import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import { decodeAll } from './codec/reader.js';
import { encodeWith } from './codec/writer.js';
import {
  DEFAULT_INITIAL_TTL,
  FORWARDING_HEADER_FIXED_SIZE,
  RELOAD_VERSION,
  RELO_TOKEN,
  UNFRAGMENTED,
  checkReceivedTtl,
  forwardingHeaderSize,
  fragmentField,
  fragmentOffset,
  isLastFragment,
  isSupportedVersion,
  isUnfragmented,
  leadingMessageCode,
  readForwardingHeader,
  writeForwardingHeader,
  type ForwardingHeader,
} from './forwarding-header.js';
import { ErrorCode } from './message-codes.js';
import { arbForwardingHeader } from './testing/envelope.arb.js';
import { damageRaisesOnlyDecodeError, decodeErrorPath, hex } from './testing/codec-test-kit.js';

const NODE = hex('00112233445566778899aabbccddeeff');
const RES16 = hex('0f0e0d0c0b0a09080706050403020100');

const decodeHeader = (b: Uint8Array): ForwardingHeader => decodeAll(b, 'T', (r) => readForwardingHeader(r));
const encodeHeader = (h: ForwardingHeader): Uint8Array => encodeWith((w) => writeForwardingHeader(w, h));

// A header with one entry in each list, written field by field from RFC 6940 §6.3.2.
const HEADER_FIELDS = [
  'd2454c4f', // relo_token "RELO" with the high bit set
  '8a4b7c13', // overlay (low 32 bits of SHA-1 of the overlay name; any number here)
  '0005', // configuration_sequence = 5
  '0a', // version = 1.0
  '64', // ttl = 100
  'c0000000', // fragment: high bit, last fragment, offset 0
  '000000a0', // length = 160 (carried as given by the header codec)
  '0102030405060708', // transaction_id
  '00001388', // max_response_length = 5000
  '0002', // via_list_length = 2
  '0025', // destination_list_length = 18 + 19 = 37
  '0006', // options_length = 6
  '8001', // via_list[0]: compressed id 0x8001
  '01 10 00112233445566778899aabbccddeeff', // destination_list[0]: node, length 16, Node-ID
  '02 11 10 0f0e0d0c0b0a09080706050403020100', // destination_list[1]: resource, length 17, ResourceId<16>
  '01 05 0002 abcd', // options[0]: type 1, FORWARD_CRITICAL|RESPONSE_COPY, length 2, value
];
const HEADER: ForwardingHeader = {
  overlay: 0x8a4b7c13,
  configurationSequence: 5,
  version: RELOAD_VERSION,
  ttl: 100,
  fragment: UNFRAGMENTED,
  length: 160,
  transactionId: 0x0102030405060708n,
  maxResponseLength: 5000,
  viaList: [{ kind: 'compressed', id: 0x8001 }],
  destinationList: [
    { kind: 'node', nodeId: NODE },
    { kind: 'resource', resourceId: RES16 },
  ],
  options: [{ type: 1, flags: 5, option: hex('abcd') }],
};

/** HEADER_FIELDS with field `i` replaced. */
function withField(i: number, value: string): string {
  return HEADER_FIELDS.map((f, j) => (j === i ? value : f)).join('');
}

describe('ForwardingHeader (RFC 6940 §6.3.2) vectors', () => {
  it('decodes and encodes the hand-written header', () => {
    const bytes = hex(HEADER_FIELDS.join(''));
    expect(bytes.length).toBe(83);
    expect(forwardingHeaderSize(HEADER)).toBe(83);
    expect(decodeHeader(bytes)).toEqual(HEADER);
    expect(toHex(encodeHeader(HEADER))).toBe(toHex(bytes));
  });

  it('the smallest header: empty lists, 38 bytes', () => {
    const h: ForwardingHeader = { ...HEADER, viaList: [], destinationList: [], options: [] };
    const bytes = hex('d2454c4f 8a4b7c13 0005 0a 64 c0000000 000000a0 0102030405060708 00001388 0000 0000 0000');
    expect(bytes.length).toBe(FORWARDING_HEADER_FIXED_SIZE);
    expect(toHex(encodeHeader(h))).toBe(toHex(bytes));
    expect(decodeHeader(bytes)).toEqual(h);
  });

  it('decodes any version (0x01 of the drafts) but only 0x0a is supported', () => {
    const h = decodeHeader(hex(withField(3, '01')));
    expect(h.version).toBe(1);
    expect(isSupportedVersion(h.version)).toBe(false);
    expect(isSupportedVersion(RELOAD_VERSION)).toBe(true);
    expect(RELO_TOKEN).toBe(0xd2454c4f);
  });

  it('keeps reserved fragment bits as received', () => {
    expect(decodeHeader(hex(withField(5, 'c1000000'))).fragment).toBe(0xc1000000);
  });
});

describe('ForwardingHeader failures', () => {
  const rows: { name: string; hex: string; path: string }[] = [
    { name: 'bad relo_token', hex: withField(0, 'd2454c4e'), path: 'T.ForwardingHeader.reloToken' },
    { name: 'relo_token without the high bit ("RELO")', hex: withField(0, '52454c4f'), path: 'T.ForwardingHeader.reloToken' },
    { name: 'fragment high bit clear (§6.7)', hex: withField(5, '40000000'), path: 'T.ForwardingHeader.fragment' },
    { name: 'truncated inside transaction_id', hex: HEADER_FIELDS.slice(0, 7).join('') + '0102', path: 'T.ForwardingHeader.transactionId' },
    { name: 'via_list_length beyond the input', hex: withField(9, '0100'), path: 'T.ForwardingHeader.viaList' },
    {
      name: 'via list cut inside an element (length 3: 80 01 | 01 …)',
      hex: withField(9, '0003'),
      path: 'T.ForwardingHeader.viaList[1].Destination.length',
    },
    {
      name: 'destination_list_length splits the resource destination',
      hex: withField(10, '0024'),
      path: 'T.ForwardingHeader.destinationList[1].Destination.length',
    },
    { name: 'options_length overruns', hex: withField(11, '0007'), path: 'T.ForwardingHeader.options' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeHeader(hex(row.hex)))).toBe(row.path);
    });
  }

  it('rejects a resource destination in the via list, or not last in the destination list', () => {
    const resourceInVia = hex(
      ['d2454c4f 8a4b7c13 0005 0a 64 c0000000 000000a0 0102030405060708 00001388', '0003 0000 0000', '02 01 00'].join(''),
    );
    expect(() => decodeHeader(resourceInVia)).toThrow(/T\.ForwardingHeader\.viaList\[0\]: a resource destination must not appear in a via_list/);
    const resourceFirst = hex(
      ['d2454c4f 8a4b7c13 0005 0a 64 c0000000 000000a0 0102030405060708 00001388', '0000 0005 0000', '02 01 00', '80 01'].join(''),
    );
    expect(() => decodeHeader(resourceFirst)).toThrow(/T\.ForwardingHeader\.destinationList\[0\]: a resource destination may appear only last/);
    expect(() => encodeHeader({ ...HEADER, viaList: [{ kind: 'resource', resourceId: RES16 }] })).toThrow(EncodeError);
    expect(() => encodeHeader({ ...HEADER, destinationList: [...HEADER.destinationList].reverse() })).toThrow(EncodeError);
  });

  it('refuses a fragment without the high bit and out-of-range fields on encode', () => {
    expect(() => encodeHeader({ ...HEADER, fragment: 0x40000000 })).toThrow(EncodeError);
    expect(() => encodeHeader({ ...HEADER, ttl: 256 })).toThrow(EncodeError);
    expect(() => encodeHeader({ ...HEADER, transactionId: -1n })).toThrow(EncodeError);
  });
});

describe('fragment field (RFC 6940 §6.7, rfc6940-readings #7)', () => {
  const rows: { name: string; offset: number; last: boolean; field: number; whole: boolean }[] = [
    { name: 'unfragmented: last, offset 0', offset: 0, last: true, field: 0xc0000000, whole: true },
    { name: 'first of several', offset: 0, last: false, field: 0x80000000, whole: false },
    { name: 'middle piece at 1200', offset: 1200, last: false, field: 0x800004b0, whole: false },
    { name: 'last piece at 2400', offset: 2400, last: true, field: 0xc0000960, whole: false },
    { name: 'largest offset', offset: 0xffffff, last: true, field: 0xc0ffffff, whole: false },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(fragmentField(row.offset, row.last)).toBe(row.field);
      expect(fragmentOffset(row.field)).toBe(row.offset);
      expect(isLastFragment(row.field)).toBe(row.last);
      expect(isUnfragmented(row.field)).toBe(row.whole);
    });
  }

  it('UNFRAGMENTED is 0xC0000000 and reserved bits do not change the meaning', () => {
    expect(UNFRAGMENTED).toBe(0xc0000000);
    expect(isUnfragmented(0xfe000000)).toBe(true);
    expect(fragmentOffset(0xbf000010)).toBe(0x10);
  });

  it('an offset beyond 24 bits cannot be encoded', () => {
    expect(() => fragmentField(0x1000000, false)).toThrow(EncodeError);
    expect(() => fragmentField(-1, false)).toThrow(EncodeError);
  });
});

describe('checkReceivedTtl (RFC 6940 §6.3.2)', () => {
  it('has initial TTL 100 by default', () => {
    expect(DEFAULT_INITIAL_TTL).toBe(100);
  });
  const rows: { name: string; ttl: number; forMe: boolean; initial?: number; expected: number | undefined }[] = [
    { name: 'ttl 100 is accepted', ttl: 100, forMe: false, expected: undefined },
    { name: 'ttl 101 exceeds the default initial-ttl', ttl: 101, forMe: true, expected: ErrorCode.Error_TTL_Exceeded },
    { name: 'ttl 101 under a configured initial-ttl of 200', ttl: 101, forMe: false, initial: 200, expected: undefined },
    { name: 'ttl 0 for another node', ttl: 0, forMe: false, expected: ErrorCode.Error_TTL_Exceeded },
    { name: 'ttl 0 for this node', ttl: 0, forMe: true, expected: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => expect(checkReceivedTtl(row.ttl, row.forMe, row.initial)).toBe(row.expected));
  }
});

describe('ForwardingHeader properties', () => {
  it('decode(encode(x)) equals x and encode(decode(b)) equals b', () => {
    fc.assert(
      fc.property(arbForwardingHeader(), (h) => {
        const b = encodeHeader(h);
        expect(b.length).toBe(forwardingHeaderSize(h));
        expect(decodeHeader(b)).toEqual(h);
        expect(toHex(encodeHeader(decodeHeader(b)))).toBe(toHex(b));
      }),
    );
  });

  it('mutated bytes raise only DecodeError', () => {
    damageRaisesOnlyDecodeError(arbForwardingHeader(), encodeHeader, decodeHeader, { truncate: false });
  });

  it.each([
    ['a whole message', UNFRAGMENTED, Uint8Array.of(0x00, 0x07, 0xaa), 7],
    ['the first fragment', fragmentField(0, false), Uint8Array.of(0x7f, 0xff), 0x7fff],
    ['a later fragment', fragmentField(1000, true), Uint8Array.of(0x00, 0x07), undefined],
    ['a payload too short for a message_code', UNFRAGMENTED, Uint8Array.of(0x00), undefined],
  ])('leadingMessageCode of %s (§6.3.3: MessageContents opens with its message_code)', (_, fragment, payload, code) => {
    expect(leadingMessageCode(fragment, payload)).toBe(code);
  });
});
