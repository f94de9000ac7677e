import { describe, expect, it } from 'vitest';
import { EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import {
  answerForUnknownMessageCode,
  checkCriticalExtensions,
  decodeErrorResponse,
  decodeMessageContents,
  encodeErrorResponse,
  encodeMessageContents,
  type ErrorResponse,
  type MessageContents,
  type MessageExtension,
} from './message-contents.js';
import { ErrorCode, MessageCode } from './message-codes.js';
import { arbErrorResponse, arbMessageContents } from './testing/envelope.arb.js';
import { damageRaisesOnlyDecodeError, decodeErrorPath, hex, roundTrips } from './testing/codec-test-kit.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('MessageContents (RFC 6940 §6.3.3) vectors', () => {
  const rows: { name: string; hex: string; value: MessageContents }[] = [
    {
      name: 'ping_req with an empty PingReq body and no extensions',
      hex: [
        '0017', // message_code = ping_req
        '00000002', // message_body length = 2
        '0000', // PingReq.padding<0..2^16-1> = empty
        '00000000', // extensions length = 0
      ].join(''),
      value: { messageCode: MessageCode.ping_req, messageBody: hex('0000'), extensions: [] },
    },
    {
      name: 'probe_ans with one critical and one non-critical extension',
      hex: [
        '0002', // message_code = probe_ans
        '00000000', // empty body
        '00000011', // extensions length = 17
        '0001 01 00000003 aabbcc', // type exp_ext, critical = true, contents<3>
        '1234 00 00000000', // type 0x1234, critical = false, contents<0>
      ].join(''),
      value: {
        messageCode: MessageCode.probe_ans,
        messageBody: new Uint8Array(0),
        extensions: [
          { type: 1, critical: true, extensionContents: hex('aabbcc') },
          { type: 0x1234, critical: false, extensionContents: new Uint8Array(0) },
        ],
      },
    },
    {
      name: 'error message carrying an ErrorResponse body',
      hex: '' + 'ffff' + '00000006' + '0003 0002 6e66' + '00000000',
      value: { messageCode: MessageCode.error, messageBody: hex('0003 0002 6e66'), extensions: [] },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const bytes = hex(row.hex);
      expect(decodeMessageContents(bytes)).toEqual(row.value);
      expect(toHex(encodeMessageContents(row.value))).toBe(toHex(bytes));
    });
  }
});

describe('MessageContents failures', () => {
  const rows: { name: string; hex: string; path: string }[] = [
    { name: 'message code 0 (never assigned)', hex: '0000 00000000 00000000', path: 'MessageContents.messageCode' },
    { name: 'body length overruns', hex: '0017 00000009 0000 00000000', path: 'MessageContents.messageBody' },
    {
      name: 'Boolean 2 in critical',
      hex: '0017 00000000 0000000b 0001 02 00000004 00000000',
      path: 'MessageContents.extensions[0].MessageExtension.critical',
    },
    {
      name: 'extension type 0',
      hex: '0017 00000000 00000007 0000 00 00000000',
      path: 'MessageContents.extensions[0].MessageExtension.type',
    },
    {
      name: 'extension contents overrun the extensions vector',
      hex: '0017 00000000 00000008 0001 00 00000002 aa',
      path: 'MessageContents.extensions[0].MessageExtension.extensionContents',
    },
    { name: 'trailing byte', hex: '0017 00000000 00000000 ff', path: 'MessageContents' },
    { name: 'missing extensions vector', hex: '0017 00000000', path: 'MessageContents.extensions' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeMessageContents(hex(row.hex)))).toBe(row.path);
    });
  }

  it('refuses code 0 and extension type 0 on encode', () => {
    expect(() => encodeMessageContents({ messageCode: 0, messageBody: new Uint8Array(0), extensions: [] })).toThrow(EncodeError);
    expect(() =>
      encodeMessageContents({ messageCode: 1, messageBody: new Uint8Array(0), extensions: [{ type: 0, critical: false, extensionContents: new Uint8Array(0) }] }),
    ).toThrow(EncodeError);
  });
});

describe('ErrorResponse (RFC 6940 §6.3.3.1: exactly error_code and error_info)', () => {
  const rows: { name: string; hex: string; value: ErrorResponse }[] = [
    {
      name: 'Error_Not_Found with text',
      hex: '0003' + '0009' + toHex(text('not found')), // error_code, error_info<9>
      value: { errorCode: ErrorCode.Error_Not_Found, errorInfo: text('not found') },
    },
    { name: 'Error_Invalid_Message with no info', hex: '0014 0000', value: { errorCode: ErrorCode.Error_Invalid_Message, errorInfo: new Uint8Array(0) } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const bytes = hex(row.hex);
      expect(decodeErrorResponse(bytes)).toEqual(row.value);
      expect(toHex(encodeErrorResponse(row.value))).toBe(toHex(bytes));
    });
  }

  const failures: { name: string; hex: string; path: string }[] = [
    { name: 'error code 0', hex: '0000 0000', path: 'ErrorResponse.errorCode' },
    { name: 'error_info overruns', hex: '0003 0005 6e6f', path: 'ErrorResponse.errorInfo' },
    { name: 'trailing byte (there is no third field)', hex: '0003 0000 00', path: 'ErrorResponse' },
  ];
  for (const row of failures) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeErrorResponse(hex(row.hex)))).toBe(row.path);
    });
  }
});

describe('checkCriticalExtensions (RFC 6940 §6.3.3)', () => {
  const ext = (type: number, critical: boolean): MessageExtension => ({ type, critical, extensionContents: new Uint8Array(0) });
  const rows: { name: string; extensions: MessageExtension[]; expected: number | undefined }[] = [
    { name: 'none', extensions: [], expected: undefined },
    { name: 'unknown, not critical', extensions: [ext(7, false)], expected: undefined },
    { name: 'unknown, critical', extensions: [ext(7, true)], expected: ErrorCode.Error_Unknown_Extension },
    { name: 'known, critical', extensions: [ext(2, true)], expected: undefined },
    { name: 'known then unknown critical', extensions: [ext(2, true), ext(9, true)], expected: ErrorCode.Error_Unknown_Extension },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(checkCriticalExtensions(row.extensions, new Set([2]))).toBe(row.expected);
      expect(checkCriticalExtensions(row.extensions, (t) => t === 2)).toBe(row.expected);
    });
  }
});

describe('answerForUnknownMessageCode (RFC 6940 §6.3.3, §6.3.3.1)', () => {
  const rows: { name: string; code: number; expected: ReturnType<typeof answerForUnknownMessageCode> }[] = [
    { name: 'unknown request 0x0101: Error_Invalid_Message', code: 0x0101, expected: { answer: 'error', errorCode: ErrorCode.Error_Invalid_Message } },
    { name: 'highest request code 0x7fff', code: 0x7fff, expected: { answer: 'error', errorCode: ErrorCode.Error_Invalid_Message } },
    { name: 'unknown answer 0x0102: no answer', code: 0x0102, expected: { answer: 'none', reason: 'answer' } },
    { name: 'code 0: invalid', code: 0, expected: { answer: 'none', reason: 'invalid' } },
    { name: 'reserved odd 0x8001', code: 0x8001, expected: { answer: 'none', reason: 'reserved' } },
    { name: 'reserved 0xfffe', code: 0xfffe, expected: { answer: 'none', reason: 'reserved' } },
    { name: 'error 0xffff is never answered', code: 0xffff, expected: { answer: 'none', reason: 'answer' } },
  ];
  for (const row of rows) {
    it(row.name, () => expect(answerForUnknownMessageCode(row.code)).toEqual(row.expected));
  }
});

describe('MessageContents properties', () => {
  it('decode(encode(x)) equals x and encode(decode(b)) equals b', () => {
    roundTrips(arbMessageContents(), encodeMessageContents, decodeMessageContents, { damage: false });
  });

  it('ErrorResponse round trip', () => {
    roundTrips(arbErrorResponse, encodeErrorResponse, decodeErrorResponse, { damage: false });
  });

  it('mutated bytes raise only DecodeError', () => {
    damageRaisesOnlyDecodeError(arbMessageContents(), encodeMessageContents, decodeMessageContents, { truncate: false });
  });
});
