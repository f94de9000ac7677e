import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KindId } from '../message-codes.js';
import { arbStatAns, arbStatReq, arbWithKinds } from '../testing/storage.arb.js';
import { ianaKindModels, UnknownKindError } from './data-model.js';
import { decodeStatAns, decodeStatReq, encodeStatAns, encodeStatReq, type StatAns, type StatReq } from './stat.js';
import { decodeFailure, expectOnlyDecodeError, hex, roundTripsWithKinds } from '../testing/codec-test-kit.js';

/** RFC 6940 §7.4.3.1: a StatReq is laid out as a FetchReq. */
const statReqBytes = hex(`
  01 7f                          // resource: 1 byte
  00 0e                          // specifiers: 14 bytes
    00 00 00 02                  //   kind: TURN-SERVICE (single value)
    00 00 00 00 00 00 00 00      //   generation: 0
    00 00                        //   length: 0
`);
const statReq: StatReq = { resource: Uint8Array.of(0x7f), specifiers: [{ kind: KindId.TURN_SERVICE, generation: 0n, modelSpecifier: { model: 'single' } }] };

/** RFC 6940 §7.4.3.2: metadata of one CERTIFICATE_BY_USER (array) entry. */
const statAnsBytes = hex(`
  00 00 00 2f                    // kind_responses<0..2^32-1>: 47 bytes
    00 00 00 10                  //   kind: CERTIFICATE_BY_USER
    00 00 00 00 00 00 00 03      //   generation: 3
    00 00 00 1f                  //   values<0..2^32-1>: 31 bytes
      00 00 00 1b                //     StoredMetaData.value_length: 27 bytes follow (read as StoredData.length)
      00 00 00 00 00 00 00 64    //     storage_time: 100
      00 00 00 3c                //     lifetime: 60
      00 00 00 00                //     ArrayEntryMeta.index: 0
      01                         //     MetaData.exists: True
      00 00 02 9a                //     MetaData.value_length: 666
      04                         //     hash_algorithm: sha256
      04 01 02 03 04             //     hash_value<0..255>: 4 bytes
`);
const statAns: StatAns = {
  kindResponses: [
    {
      kind: KindId.CERTIFICATE_BY_USER,
      generation: 3n,
      values: [
        {
          storageTime: 100n,
          lifetime: 60,
          metadata: { model: 'array', arrayEntry: { index: 0, value: { exists: true, valueLength: 666, hashAlgorithm: 4, hashValue: Uint8Array.of(1, 2, 3, 4) } } },
        },
      ],
    },
  ],
};

describe('StatReq / StatAns vectors', () => {
  it('StatReq', () => {
    expect(decodeStatReq(statReqBytes, ianaKindModels)).toEqual(statReq);
    expect(encodeStatReq(statReq, ianaKindModels)).toEqual(statReqBytes);
  });

  it('StatAns with an ArrayEntryMeta', () => {
    expect(decodeStatAns(statAnsBytes, ianaKindModels)).toEqual(statAns);
    expect(encodeStatAns(statAns, ianaKindModels)).toEqual(statAnsBytes);
  });

  it('StatAns with single and dictionary metadata', () => {
    const bytes = hex(`
      00 00 00 56                // kind_responses: 86 bytes
        00 00 00 02 00 00 00 00 00 00 00 01 // TURN-SERVICE, generation 1
        00 00 00 17              // values: 23 bytes
          00 00 00 13            //   value_length: 19
          00 00 00 00 00 00 00 05 00 00 00 06 // storage_time 5, lifetime 6
          00 00 00 00 00 00 00   //   MetaData: exists False, value_length 0, hash_algorithm none, hash_value empty
        00 00 00 01 00 00 00 00 00 00 00 02 // SIP-REGISTRATION, generation 2
        00 00 00 1f              // values: 31 bytes
          00 00 00 1b            //   value_length: 27
          00 00 00 00 00 00 00 07 00 00 00 08 // storage_time 7, lifetime 8
          00 02 aa bb            //   DictionaryEntryMeta.key
          01 00 00 00 10 02 04 de ad be ef // MetaData: exists, value_length 16, sha1, 4-byte hash
    `);
    const v: StatAns = {
      kindResponses: [
        {
          kind: 2,
          generation: 1n,
          values: [{ storageTime: 5n, lifetime: 6, metadata: { model: 'single', singleValueEntry: { exists: false, valueLength: 0, hashAlgorithm: 0, hashValue: new Uint8Array(0) } } }],
        },
        {
          kind: 1,
          generation: 2n,
          values: [
            {
              storageTime: 7n,
              lifetime: 8,
              metadata: {
                model: 'dictionary',
                dictionaryEntry: { key: Uint8Array.of(0xaa, 0xbb), value: { exists: true, valueLength: 16, hashAlgorithm: 2, hashValue: hex('de ad be ef') } },
              },
            },
          ],
        },
      ],
    };
    expect(decodeStatAns(bytes, ianaKindModels)).toEqual(v);
    expect(encodeStatAns(v)).toEqual(bytes);
  });
});

describe('StatReq / StatAns failures', () => {
  it('unknown Kind', () => {
    const e = decodeFailure(() => decodeStatAns(statAnsBytes, () => undefined)) as UnknownKindError;
    expect(e).toBeInstanceOf(UnknownKindError);
    expect(e.kindId).toBe(KindId.CERTIFICATE_BY_USER);
    expect(e.path).toBe('StatAns.kindResponses[0].StatKindResponse.kind');
    const r = decodeFailure(() => decodeStatReq(statReqBytes, () => undefined)) as UnknownKindError;
    expect(r.kindIds).toEqual([KindId.TURN_SERVICE]);
    expect(r.path).toBe('StatReq.specifiers[0].StoredDataSpecifier.kind');
  });

  it('StoredMetaData value_length mismatch', () => {
    const bytes = statAnsBytes.slice();
    bytes[23] = 0x1a;
    const e = decodeFailure(() => decodeStatAns(bytes, ianaKindModels));
    expect(e.path).toBe('StatAns.kindResponses[0].StatKindResponse.values[0].StoredMetaData.valueLength');
    expect(e.offset).toBe(20);
  });

  it('Boolean 2 in exists', () => {
    const bytes = statAnsBytes.slice();
    bytes[40] = 2;
    const e = decodeFailure(() => decodeStatAns(bytes, ianaKindModels));
    expect(e.path).toBe('StatAns.kindResponses[0].StatKindResponse.values[0].StoredMetaData.MetaDataValue.ArrayEntryMeta.MetaData.exists');
  });

  it('hash_value longer than the input', () => {
    const bytes = statAnsBytes.slice();
    bytes[46] = 5;
    expect(decodeFailure(() => decodeStatAns(bytes, ianaKindModels)).path).toMatch(/MetaData\.hashValue$/);
  });

  it('trailing byte', () => {
    expect(decodeFailure(() => decodeStatAns(Uint8Array.from([...statAnsBytes, 0]), ianaKindModels)).path).toBe('StatAns');
    expect(decodeFailure(() => decodeStatReq(Uint8Array.from([...statReqBytes, 0]), ianaKindModels)).path).toBe('StatReq');
  });
});

describe('StatReq / StatAns properties', () => {
  it('StatReq: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    roundTripsWithKinds(arbWithKinds(arbStatReq), encodeStatReq, decodeStatReq);
  });

  it('StatAns: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    roundTripsWithKinds(arbWithKinds(arbStatAns), encodeStatAns, decodeStatAns);
  });

  it('mutated bytes raise only DecodeError', () => {
    fc.assert(
      fc.property(arbWithKinds(arbStatAns), fc.nat(), fc.integer({ min: 0, max: 255 }), ({ value, kinds }, pos, byte) => {
        const bytes = encodeStatAns(value);
        const mutated = bytes.slice();
        if (mutated.length > 0) mutated[pos % mutated.length] = byte;
        expectOnlyDecodeError(() => decodeStatAns(mutated, kinds));
      }),
    );
  });
});
