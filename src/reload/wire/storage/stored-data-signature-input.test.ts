import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../codec/hex.js';
import { encodeWith } from '../codec/writer.js';
import { writeSignerIdentity } from '../security-block.js';
import { arbSignerIdentity } from '../testing/envelope.arb.js';
import { arbDataModel, arbStoredDataValue } from '../testing/storage.arb.js';
import { storedDataSignatureInput } from './stored-data-signature-input.js';
import { writeStoredDataValue } from './stored-data.js';

function hex(text: string): Uint8Array {
  const bytes = fromHex(text.replace(/\/\/[^\n]*/g, ''));
  if (!bytes) throw new Error(`bad hex vector: ${text}`);
  return bytes;
}

const certHash = { identityType: 1 as const, hashAlg: 4, hash: Uint8Array.of(0xaa, 0xbb) };

describe('storedDataSignatureInput (RFC 6940 §7.1)', () => {
  it('single value: resource_id || kind || storage_time || StoredDataValue || SignerIdentity', () => {
    const input = storedDataSignatureInput(
      Uint8Array.of(0x12, 0x34),
      0x2,
      0x0102030405060708n,
      { model: 'single', singleValueEntry: { exists: true, value: Uint8Array.of(0x61, 0x62, 0x63) } },
      certHash,
    );
    expect(input).toEqual(
      hex(`
        12 34                    // resource_id: the bytes alone, no length
        00 00 00 02              // kind (uint32)
        01 02 03 04 05 06 07 08  // storage_time (uint64)
        01 00 00 00 03 61 62 63  // DataValue: exists, value<0..2^32-1> "abc"
        01 00 04 04 02 aa bb     // SignerIdentity: cert_hash, length 4, hash_alg sha256, hash<0..255>
      `),
    );
  });

  it('array: the index is set to zero before signing (§7.4.2.2)', () => {
    const entry = (index: number) => ({ model: 'array' as const, arrayEntry: { index, value: { exists: true, value: Uint8Array.of(0x66) } } });
    const appended = storedDataSignatureInput(Uint8Array.of(1), 16, 1n, entry(0xffffffff), certHash);
    expect(appended).toEqual(
      hex(`
        01
        00 00 00 10
        00 00 00 00 00 00 00 01
        00 00 00 00              // index: zero, not 0xffffffff
        01 00 00 00 01 66
        01 00 04 04 02 aa bb
      `),
    );
    expect(storedDataSignatureInput(Uint8Array.of(1), 16, 1n, entry(7), certHash)).toEqual(appended);
  });

  it('dictionary: the key is signed', () => {
    const input = storedDataSignatureInput(
      new Uint8Array(0),
      1,
      0n,
      { model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(0xde, 0xad), value: { exists: false, value: new Uint8Array(0) } } },
      { identityType: 3 },
    );
    expect(input).toEqual(
      hex(`
        00 00 00 01
        00 00 00 00 00 00 00 00
        00 02 de ad              // DictionaryKey<0..2^16-1>
        00 00 00 00 00           // exists false, empty value
        03 00 00                 // SignerIdentity none, length 0
      `),
    );
  });

  it('property: the concatenation of the parts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 32 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
        arbDataModel.chain((m) => arbStoredDataValue(m)),
        arbSignerIdentity(),
        (resource, kind, time, value, identity) => {
          const zeroed = value.model === 'array' ? { ...value, arrayEntry: { ...value.arrayEntry, index: 0 } } : value;
          const expected = encodeWith((w) => {
            w.bytes(resource).u32(kind).u64(time);
            writeStoredDataValue(w, zeroed);
            writeSignerIdentity(w, identity);
          });
          expect(storedDataSignatureInput(resource, kind, time, value, identity)).toEqual(expected);
        },
      ),
    );
  });
});
