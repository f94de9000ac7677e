import { describe, expect, it } from 'vitest';
import { EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import { decodeAll } from './codec/reader.js';
import { encodeWith } from './codec/writer.js';
import {
  ForwardingOptionFlag,
  checkForwardingOptions,
  forwardingOptionsSize,
  readForwardingOption,
  readForwardingOptions,
  responseCopyOptions,
  writeForwardingOption,
  writeForwardingOptions,
  type ForwardingOption,
} from './forwarding-option.js';
import { ErrorCode } from './message-codes.js';
import { arbForwardingOption } from './testing/envelope.arb.js';
import { decodeErrorPath, hex, roundTrips } from './testing/codec-test-kit.js';

const decodeOne = (b: Uint8Array): ForwardingOption => decodeAll(b, 'T', (r) => readForwardingOption(r));
const encodeOne = (o: ForwardingOption): Uint8Array => encodeWith((w) => writeForwardingOption(w, o));

describe('ForwardingOption (RFC 6940 §6.3.2.3) vectors', () => {
  const rows: { name: string; hex: string; value: ForwardingOption }[] = [
    {
      name: 'type 1 (exp_forward), flags FORWARD_CRITICAL|RESPONSE_COPY, length 2, value ab cd',
      hex: '01 05 0002 abcd',
      value: { type: 1, flags: 0x05, option: hex('abcd') },
    },
    { name: 'zero-length option (presence is meaningful)', hex: '07 00 0000', value: { type: 7, flags: 0, option: new Uint8Array(0) } },
    { name: 'undefined flag bits are carried', hex: 'ff f8 0001 00', value: { type: 0xff, flags: 0xf8, option: hex('00') } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const bytes = hex(row.hex);
      expect(decodeOne(bytes)).toEqual(row.value);
      expect(toHex(encodeOne(row.value))).toBe(toHex(bytes));
    });
  }

  it('a list of options', () => {
    const bytes = hex('01 05 0002 abcd 07 00 0000');
    const list = decodeAll(bytes, 'T', (r) => readForwardingOptions(r, 'options', bytes.length));
    expect(list).toHaveLength(2);
    expect(forwardingOptionsSize(list)).toBe(bytes.length);
    expect(toHex(encodeWith((w) => writeForwardingOptions(w, list)))).toBe(toHex(bytes));
  });
});

describe('ForwardingOption failures', () => {
  const rows: { name: string; hex: string; path: string }[] = [
    { name: 'type 0 (invalidForwardingOptionType)', hex: '00 00 0000', path: 'T.ForwardingOption.type' },
    { name: 'length overruns', hex: '01 00 0003 abcd', path: 'T.ForwardingOption.option' },
    { name: 'cut inside length', hex: '01 00 00', path: 'T.ForwardingOption.option' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeOne(hex(row.hex)))).toBe(row.path);
    });
  }

  it('an option cut at the end of options_length', () => {
    const bytes = hex('01 00 0002 ab');
    expect(() => decodeAll(bytes, 'T', (r) => readForwardingOptions(r, 'options', bytes.length))).toThrow(/T\.options\[0\]\.ForwardingOption\.option/);
  });

  it('refuses type 0 and oversized values on encode', () => {
    expect(() => encodeOne({ type: 0, flags: 0, option: new Uint8Array(0) })).toThrow(EncodeError);
    expect(() => encodeOne({ type: 1, flags: 0x100, option: new Uint8Array(0) })).toThrow(EncodeError);
    expect(() => encodeOne({ type: 1, flags: 0, option: new Uint8Array(0x10000) })).toThrow(EncodeError);
  });
});

describe('checkForwardingOptions (RFC 6940 §6.3.2.3 unknown-option rules)', () => {
  const { FORWARD_CRITICAL, DESTINATION_CRITICAL, RESPONSE_COPY } = ForwardingOptionFlag;
  const opt = (type: number, flags: number): ForwardingOption => ({ type, flags, option: new Uint8Array(0) });
  const understood = new Set([9]);
  const rows: { name: string; options: ForwardingOption[]; role: 'intermediate' | 'destination'; expected: number | undefined }[] = [
    { name: 'no options', options: [], role: 'intermediate', expected: undefined },
    { name: 'unknown, FORWARD_CRITICAL, at an intermediate', options: [opt(7, FORWARD_CRITICAL)], role: 'intermediate', expected: ErrorCode.Error_Unsupported_Forwarding_Option },
    { name: 'unknown, FORWARD_CRITICAL, at the destination', options: [opt(7, FORWARD_CRITICAL)], role: 'destination', expected: undefined },
    { name: 'unknown, DESTINATION_CRITICAL, at the destination', options: [opt(7, DESTINATION_CRITICAL)], role: 'destination', expected: ErrorCode.Error_Unsupported_Forwarding_Option },
    { name: 'unknown, DESTINATION_CRITICAL, at an intermediate', options: [opt(7, DESTINATION_CRITICAL)], role: 'intermediate', expected: undefined },
    { name: 'unknown, not critical', options: [opt(7, RESPONSE_COPY)], role: 'destination', expected: undefined },
    { name: 'understood and critical both ways', options: [opt(9, FORWARD_CRITICAL | DESTINATION_CRITICAL)], role: 'destination', expected: undefined },
    { name: 'second option fails', options: [opt(9, FORWARD_CRITICAL), opt(8, FORWARD_CRITICAL)], role: 'intermediate', expected: ErrorCode.Error_Unsupported_Forwarding_Option },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(checkForwardingOptions(row.options, understood, row.role)).toBe(row.expected);
      expect(checkForwardingOptions(row.options, (t) => understood.has(t), row.role)).toBe(row.expected);
    });
  }

  it('copies RESPONSE_COPY options into a response with the three flags cleared', () => {
    const options = [opt(3, RESPONSE_COPY | FORWARD_CRITICAL | 0x10), opt(4, DESTINATION_CRITICAL)];
    expect(responseCopyOptions(options)).toEqual([{ type: 3, flags: 0x10, option: new Uint8Array(0) }]);
  });
});

describe('ForwardingOption properties', () => {
  it('decode(encode(x)) equals x and encode(decode(b)) equals b', () => {
    roundTrips(arbForwardingOption, encodeOne, decodeOne, { damage: false });
  });
});
