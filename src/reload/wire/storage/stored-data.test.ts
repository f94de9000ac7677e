import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../codec/decode-error.js';
import { decodeAll } from '../codec/reader.js';
import { encodeWith } from '../codec/writer.js';
import { arbDataModel, arbStoredData } from '../testing/storage.arb.js';
import type { DataModel } from './data-model.js';
import { dataValueOf, readStoredData, syntheticNonexistentSignature, writeStoredData, type StoredData } from './stored-data.js';
import { decodeFailure, hex, signature, signatureHex } from '../testing/codec-test-kit.js';

const decodeStoredData = (bytes: Uint8Array, model: DataModel) => decodeAll(bytes, 'X', (r) => readStoredData(r, model));
const encodeStoredData = (v: StoredData) => encodeWith((w) => writeStoredData(w, v));


interface Row {
  readonly name: string;
  readonly model: DataModel;
  readonly bytes: Uint8Array;
  readonly value: StoredData;
}

const rows: Row[] = [
  {
    name: 'single value "abc" (§7.2.1)',
    model: 'single',
    bytes: hex(`
      00 00 00 25                // length: 37 bytes follow
      00 00 01 8b cf e5 68 00    // storage_time (ms since 1970)
      00 01 51 80                // lifetime: 86400 s
      01                         // DataValue.exists = True
      00 00 00 03 61 62 63       // DataValue.value<0..2^32-1> = "abc"
      ${signatureHex}`),
    value: {
      storageTime: 0x18bcfe56800n,
      lifetime: 86400,
      value: { model: 'single', singleValueEntry: { exists: true, value: Uint8Array.of(0x61, 0x62, 0x63) } },
      signature,
    },
  },
  {
    name: 'array entry appended at 0xFFFFFFFF (§7.2.2, §7.4.1.1)',
    model: 'array',
    bytes: hex(`
      00 00 00 26                // length: 38
      00 00 00 00 00 00 00 01    // storage_time 1
      00 00 00 3c                // lifetime 60
      ff ff ff ff                // ArrayEntry.index: append
      01 00 00 00 00             // DataValue: exists, empty value (empty, not absent)
      ${signatureHex}`),
    value: {
      storageTime: 1n,
      lifetime: 60,
      value: { model: 'array', arrayEntry: { index: 0xffffffff, value: { exists: true, value: new Uint8Array(0) } } },
      signature,
    },
  },
  {
    name: 'dictionary entry removed with exists=False (§7.2.3, §7.4.1.3)',
    model: 'dictionary',
    bytes: hex(`
      00 00 00 26                // length: 38
      00 00 00 00 00 00 00 02    // storage_time 2
      00 00 00 00                // lifetime 0
      00 02 6b 31                // DictionaryEntry.key<0..2^16-1> = "k1"
      00 00 00 00 00             // DataValue: exists = False, value = {}
      ${signatureHex}`),
    value: {
      storageTime: 2n,
      lifetime: 0,
      value: { model: 'dictionary', dictionaryEntry: { key: Uint8Array.of(0x6b, 0x31), value: { exists: false, value: new Uint8Array(0) } } },
      signature,
    },
  },
  {
    name: 'synthetic non-existent value of a FetchAns (§7.4.2.2, rfc6940-readings #12)',
    model: 'single',
    bytes: hex(`
      00 00 00 18                // length: 24
      00 00 00 00 00 00 00 00    // storage_time 0
      00 00 00 00                // lifetime 0
      00 00 00 00 00             // DataValue: exists = False, empty
      00 00                      // algorithm {0, 0}: "anonymous" and "none"
      03 00 00                   // SignerIdentity: none(3), length 0
      00 00                      // signature_value: zero length`),
    value: {
      storageTime: 0n,
      lifetime: 0,
      value: { model: 'single', singleValueEntry: { exists: false, value: new Uint8Array(0) } },
      signature: syntheticNonexistentSignature(),
    },
  },
];

describe('StoredData vectors', () => {
  it.each(rows)('$name', ({ model, bytes, value }) => {
    expect(decodeStoredData(bytes, model)).toEqual(value);
    expect(encodeStoredData(value)).toEqual(bytes);
  });
});

describe('StoredData failures', () => {
  const single = rows[0]!.bytes;

  const failure = (bytes: Uint8Array, model: DataModel): DecodeError => decodeFailure(() => decodeStoredData(bytes, model));

  it('length shorter than the structure', () => {
    const bytes = single.slice();
    bytes[3] = 0x24;
    const e = failure(bytes, 'single');
    expect(e.path).toBe('X.StoredData.length');
    expect(e.offset).toBe(0);
    expect(e.reason).toMatch(/length 36 does not match the 37 bytes/);
  });

  it('length beyond the input', () => {
    const bytes = single.slice();
    bytes[3] = 0x26;
    const e = failure(bytes, 'single');
    expect(e.path).toBe('X.StoredData.length');
    expect(e.reason).toMatch(/exceeds the 37 bytes that remain/);
  });

  it('length longer than the structure (bytes follow)', () => {
    const bytes = Uint8Array.from([...single, 0]);
    bytes[3] = 0x26;
    const e = failure(bytes, 'single');
    expect(e.path).toBe('X.StoredData.length');
    expect(e.reason).toMatch(/length 38 does not match the 37 bytes/);
  });

  it('Boolean 2 in exists', () => {
    const bytes = single.slice();
    bytes[16] = 2;
    const e = failure(bytes, 'single');
    expect(e.path).toBe('X.StoredData.StoredDataValue.DataValue.exists');
    expect(e.offset).toBe(16);
  });

  it('the wrong model misreads the value (the model is not on the wire)', () => {
    const e = failure(single, 'array');
    expect(e.path).toMatch(/^X\.StoredData\./);
  });

  it('trailing byte', () => {
    const e = failure(Uint8Array.from([...single, 0]), 'single');
    expect(e.path).toBe('X');
    expect(e.reason).toMatch(/1 trailing byte/);
  });

  it('encoder refuses a lifetime beyond uint32', () => {
    expect(() => encodeStoredData({ ...rows[0]!.value, lifetime: 2 ** 32 })).toThrow(EncodeError);
  });
});

describe('StoredData properties', () => {
  it('decode(encode(x)) = x and encode(decode(b)) = b', () => {
    fc.assert(
      fc.property(arbDataModel.chain((model) => arbStoredData(model, { synthetic: true }).map((value) => ({ model, value }))), ({ model, value }) => {
        const bytes = encodeStoredData(value);
        const decoded = decodeStoredData(bytes, model);
        expect(decoded).toEqual(value);
        expect(encodeStoredData(decoded)).toEqual(bytes);
        expect(dataValueOf(decoded.value)).toEqual(dataValueOf(value.value));
      }),
    );
  });
});
