import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EncodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import { decodeAll } from './codec/reader.js';
import { encodeWith } from './codec/writer.js';
import {
  readSecurityBlock,
  readSignerIdentity,
  writeSecurityBlock,
  writeSignerIdentity,
  type SecurityBlock,
  type SignerIdentity,
} from './security-block.js';
import { arbSecurityBlock, arbSignerIdentity } from './testing/envelope.arb.js';
import { damageRaisesOnlyDecodeError, decodeErrorPath, hex, roundTrips } from './testing/codec-test-kit.js';

const decodeBlock = (b: Uint8Array): SecurityBlock => decodeAll(b, 'T', (r) => readSecurityBlock(r));
const encodeBlock = (v: SecurityBlock): Uint8Array => encodeWith((w) => writeSecurityBlock(w, v));
const decodeIdentity = (b: Uint8Array): SignerIdentity => decodeAll(b, 'T', (r) => readSignerIdentity(r));
const encodeIdentity = (v: SignerIdentity): Uint8Array => encodeWith((w) => writeSignerIdentity(w, v));

const HASH = hex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');

describe('SecurityBlock (RFC 6940 §6.3.4) vectors', () => {
  const rows: { name: string; hex: string; value: SecurityBlock }[] = [
    {
      name: 'one X.509 certificate, RSA/SHA-256 signature by cert_hash',
      hex: [
        '0007', // certificates<0..2^16-1> length = 7
        '00 0004 30820102', // GenericCertificate: type X.509 (0, rfc6940-readings #4), certificate<4>
        '04 01', // algorithm: hash sha256 (4), signature rsa (1)
        '01 0022', // SignerIdentity: cert_hash, length 34 (rfc6940-readings #3)
        '04 20', // hash_alg sha256, certificate_hash<0..2^8-1> length 32
        toHex(HASH),
        '0002 abcd', // signature_value<0..2^16-1>
      ].join(''),
      value: {
        certificates: [{ type: 0, certificate: hex('30820102') }],
        signature: { algorithm: { hash: 4, signature: 1 }, identity: { identityType: 1, hashAlg: 4, hash: HASH }, signatureValue: hex('abcd') },
      },
    },
    {
      // RFC 6940 §7.4.2.2: non-existent values use identity type none with an empty signature.
      name: 'no certificates, identity none, empty signature',
      hex: ['0000', '00 00', '03 0000', '0000'].join(''),
      value: { certificates: [], signature: { algorithm: { hash: 0, signature: 0 }, identity: { identityType: 3 }, signatureValue: new Uint8Array(0) } },
    },
    {
      name: 'cert_hash_node_id and an unknown identity type kept opaque',
      hex: ['0000', '04 03', '09 0002 beef', '0000'].join(''),
      value: {
        certificates: [],
        signature: { algorithm: { hash: 4, signature: 3 }, identity: { identityType: 9, unknown: hex('beef') }, signatureValue: new Uint8Array(0) },
      },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const bytes = hex(row.hex);
      expect(decodeBlock(bytes)).toEqual(row.value);
      expect(toHex(encodeBlock(row.value))).toBe(toHex(bytes));
    });
  }

  it('cert_hash_node_id', () => {
    const bytes = hex('02 0004 04 02 abcd');
    const v: SignerIdentity = { identityType: 2, hashAlg: 4, hash: hex('abcd') };
    expect(decodeIdentity(bytes)).toEqual(v);
    expect(toHex(encodeIdentity(v))).toBe(toHex(bytes));
  });
});

describe('SecurityBlock failures', () => {
  const rows: { name: string; hex: string; path: string }[] = [
    { name: 'identity type 0', hex: '0000 0401 00 0000 0000', path: 'T.SecurityBlock.Signature.SignerIdentity.identityType' },
    { name: 'identity none with data', hex: '0000 0401 03 0001 00 0000', path: 'T.SecurityBlock.Signature.SignerIdentity.identity' },
    { name: 'hash longer than the identity', hex: '0000 0401 01 0002 04 05 0000', path: 'T.SecurityBlock.Signature.SignerIdentity.identity.certificateHash' },
    { name: 'certificate overruns the bucket', hex: '0003 00 0005 aa 0401 03 0000 0000', path: 'T.SecurityBlock.certificates[0].GenericCertificate.certificate' },
    { name: 'missing signature_value', hex: '0000 0401 03 0000', path: 'T.SecurityBlock.Signature.signatureValue' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(decodeErrorPath(() => decodeBlock(hex(row.hex)))).toBe(row.path);
    });
  }

  it('refuses an opaque identity under a defined type (it would decode differently)', () => {
    for (const identityType of [0, 1, 2, 3]) {
      expect(() => encodeIdentity({ identityType, unknown: hex('00') })).toThrow(EncodeError);
    }
  });
});

describe('SecurityBlock properties', () => {
  it('decode(encode(x)) equals x and encode(decode(b)) equals b', () => {
    roundTrips(arbSecurityBlock(), encodeBlock, decodeBlock, { damage: false });
  });

  it('SignerIdentity round trip', () => {
    fc.assert(
      fc.property(arbSignerIdentity(), (v) => {
        expect(decodeIdentity(encodeIdentity(v))).toEqual(v);
      }),
    );
  });

  it('mutated bytes raise only DecodeError', () => {
    damageRaisesOnlyDecodeError(arbSecurityBlock(), encodeBlock, decodeBlock, { truncate: false });
  });
});
