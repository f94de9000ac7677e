import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex } from './codec/hex.js';
import { EncodeError } from './codec/decode-error.js';
import { encodeMessageContents } from './message-contents.js';
import { messageSignatureInput, messageSignatureInputWithContents } from './message-signature-input.js';
import { arbMessageContents, arbSignerIdentity } from './testing/envelope.arb.js';

const hex = (s: string) => fromHex(s)!;

describe('messageSignatureInput (RFC 6940 §6.3.4)', () => {
  it('is overlay || transaction_id || MessageContents || SignerIdentity, written out by hand', () => {
    const input = messageSignatureInput(
      0xdeadbeef,
      0x0102030405060708n,
      // ping_req (0x17) with a 2-byte body, one non-critical extension of type 0x1234 holding "ab"
      { messageCode: 0x17, messageBody: Uint8Array.of(0xaa, 0xbb), extensions: [{ type: 0x1234, critical: false, extensionContents: Uint8Array.of(0x61, 0x62) }] },
      // cert_hash, SHA-256 (4), a 2-byte hash
      { identityType: 1, hashAlg: 4, hash: Uint8Array.of(0xc1, 0xc2) },
    );
    expect(input).toEqual(
      hex(
        'deadbeef' + // overlay
          '0102030405060708' + // transaction_id
          '0017' + '00000002' + 'aabb' + // message_code, message_body<0..2^32-1>
          '00000009' + '1234' + '00' + '00000002' + '6162' + // extensions<0..2^32-1>: type, critical, contents
          '01' + '0004' + '04' + '02' + 'c1c2', // SignerIdentity: type, length, hash_alg, certificate_hash<0..2^8-1>
      ),
    );
  });

  it('takes the received MessageContents bytes as they are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fff }), fc.uint8Array({ maxLength: 64 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (code, body, tid) => {
        const contents = { messageCode: code, messageBody: body, extensions: [] };
        const identity = { identityType: 3 } as const;
        expect(messageSignatureInput(7, tid, encodeMessageContents(contents), identity)).toEqual(messageSignatureInput(7, tid, contents, identity));
      }),
    );
  });

  it('rejects an overlay that is not a uint32', () => {
    expect(() => messageSignatureInput(2 ** 32, 0n, new Uint8Array(), { identityType: 3 })).toThrow(EncodeError);
  });
});

describe('messageSignatureInput of received bytes (the verification path)', () => {
  it('is the same for every kind of identity as the input built from the structure', () => {
    fc.assert(
      fc.property(arbMessageContents(), arbSignerIdentity(), fc.nat(0xffffffff), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (contents, identity, overlay, tid) => {
        expect(messageSignatureInput(overlay, tid, encodeMessageContents(contents), identity)).toEqual(messageSignatureInput(overlay, tid, contents, identity));
      }),
    );
  });

  it('still rejects out-of-range values with EncodeError', () => {
    const contents = encodeMessageContents({ messageCode: 1, messageBody: new Uint8Array(0), extensions: [] });
    expect(() => messageSignatureInput(2 ** 32, 0n, contents, { identityType: 1, hashAlg: 0, hash: new Uint8Array(1) })).toThrow(EncodeError);
    expect(() => messageSignatureInput(0, 2n ** 64n, contents, { identityType: 1, hashAlg: 0, hash: new Uint8Array(1) })).toThrow(EncodeError);
    expect(() => messageSignatureInput(0, 0n, contents, { identityType: 1, hashAlg: 256, hash: new Uint8Array(1) })).toThrow(EncodeError);
    expect(() => messageSignatureInput(0, 0n, contents, { identityType: 1, hashAlg: 0, hash: new Uint8Array(256) })).toThrow(EncodeError);
  });
});

describe('messageSignatureInputWithContents (the signing path: MessageContents encoded once)', () => {
  it('is messageSignatureInput, and its contentsBytes are the encoded MessageContents', () => {
    fc.assert(
      fc.property(arbMessageContents(), arbSignerIdentity(), fc.nat(0xffffffff), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (contents, identity, overlay, tid) => {
        const { input, contentsBytes } = messageSignatureInputWithContents(overlay, tid, contents, identity);
        expect(input).toEqual(messageSignatureInput(overlay, tid, contents, identity));
        expect(contentsBytes).toEqual(encodeMessageContents(contents));
        expect(contentsBytes.buffer).toBe(input.buffer);
      }),
    );
  });
});
