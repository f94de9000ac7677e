import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { KindId } from '../message-codes.js';
import { arbFetchAns, arbFetchReq, arbWithKinds } from '../testing/storage.arb.js';
import { ianaKindModels, kindModelsFrom, UnknownKindError } from './data-model.js';
import { ARRAY_LAST_INDEX, decodeFetchAns, decodeFetchReq, encodeFetchAns, encodeFetchReq, type FetchAns, type FetchReq } from './fetch.js';
import { decodeSipRegistration } from './kinds/sip-registration.js';
import { syntheticNonexistentSignature } from './stored-data.js';
import { damageWithKindsRaisesOnlyDecodeError, decodeFailure, hex, roundTripsWithKinds, signature, signatureHex } from '../testing/codec-test-kit.js';

const PRIVATE_DICTIONARY = 0xf0000001;
/** The IANA Kinds plus one private dictionary Kind, as a configuration document would define. */
const kinds = kindModelsFrom([[PRIVATE_DICTIONARY, 'dictionary']]);

/** RFC 6940 §7.4.2.1: one specifier per data model. */
const fetchReqBytes = hex(`
  03 0a 0b 0c                    // resource: 3 bytes
  00 47                          // specifiers<0..2^16-1>: 71 bytes
    00 00 00 03                  //   kind: CERTIFICATE_BY_NODE (array)
    00 00 00 00 00 00 00 05      //   generation: 5
    00 12                        //   length: 18
    00 10                        //   indices<0..2^16-1>: 16 bytes, two ArrayRanges
      00 00 00 00 00 00 00 02    //     [0, 2]
      00 00 00 05 ff ff ff ff    //     [5, 0xFFFFFFFF = the last element] (rfc6940-readings #10: unsigned)
    f0 00 00 01                  //   kind: private dictionary Kind
    00 00 00 00 00 00 00 00      //   generation: 0
    00 0b                        //   length: 11
    00 09                        //   keys<0..2^16-1>: 9 bytes
      00 02 6b 31                //     DictionaryKey "k1"
      00 03 6b 32 32             //     DictionaryKey "k22"
    00 00 00 02                  //   kind: TURN-SERVICE (single value)
    00 00 00 00 00 00 00 00      //   generation: 0
    00 00                        //   length: 0 (single value: the specifier is empty)
`);

const fetchReq: FetchReq = {
  resource: Uint8Array.of(0x0a, 0x0b, 0x0c),
  specifiers: [
    {
      kind: KindId.CERTIFICATE_BY_NODE,
      generation: 5n,
      modelSpecifier: {
        model: 'array',
        indices: [
          { first: 0, last: 2 },
          { first: 5, last: ARRAY_LAST_INDEX },
        ],
      },
    },
    { kind: PRIVATE_DICTIONARY, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [Uint8Array.of(0x6b, 0x31), Uint8Array.of(0x6b, 0x32, 0x32)] } },
    { kind: KindId.TURN_SERVICE, generation: 0n, modelSpecifier: { model: 'single' } },
  ],
};

const nodeA = new Uint8Array(16).fill(0x11);
const nodeB = new Uint8Array(16).fill(0x22);
const nodeC = new Uint8Array(16).fill(0x33);

/**
 * RFC 6940 §7.4.2.2: a wildcard Fetch of SIP-REGISTRATION (dictionary keyed by Node-ID) answered
 * with two registrations and one synthesized non-existent value (rfc6940-readings #12).
 */
const fetchAnsBytes = hex(`
  00 00 00 cf                    // kind_responses<0..2^32-1>: 207 bytes
    00 00 00 01                  //   kind: SIP-REGISTRATION
    00 00 00 00 00 00 00 09      //   generation: 9
    00 00 00 bf                  //   values<0..2^32-1>: 191 bytes
      00 00 00 3c                //     StoredData.length: 60
      00 00 00 00 00 00 03 e8    //     storage_time: 1000
      00 00 0e 10                //     lifetime: 3600
      00 10 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 // DictionaryEntry.key: Node-ID A
      01                         //     exists
      00 00 00 08                //     value: 8 bytes
        01 00 05                 //       SipRegistration: sip_registration_uri, length 5
        00 03 61 40 62           //       uri<0..2^16-1> "a@b"
      ${signatureHex}
      00 00 00 4d                //     StoredData.length: 77
      00 00 00 00 00 00 03 e9    //     storage_time: 1001
      00 00 0e 10                //     lifetime: 3600
      00 10 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 // key: Node-ID B
      01                         //     exists
      00 00 00 19                //     value: 25 bytes
        02 00 16                 //       SipRegistration: sip_registration_route, length 22
        00 00                    //       contact_prefs<0..2^16-1>: empty
        00 12                    //       destination_list<3..2^16-1>: 18 bytes
        01 10 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 // Destination node(1), length 16, Node-ID B
      ${signatureHex}
      00 00 00 2a                //     StoredData.length: 42
      00 00 00 00 00 00 00 00    //     storage_time: 0
      00 00 00 00                //     lifetime: 0
      00 10 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 // key: Node-ID C, never stored
      00 00 00 00 00             //     exists False, empty value
      00 00                      //     algorithm {0, 0}
      03 00 00                   //     SignerIdentity none(3), empty
      00 00                      //     signature_value: empty
`);

const fetchAns: FetchAns = {
  kindResponses: [
    {
      kind: KindId.SIP_REGISTRATION,
      generation: 9n,
      values: [
        {
          storageTime: 1000n,
          lifetime: 3600,
          value: { model: 'dictionary', dictionaryEntry: { key: nodeA, value: { exists: true, value: hex('01 00 05 00 03 61 40 62') } } },
          signature,
        },
        {
          storageTime: 1001n,
          lifetime: 3600,
          value: {
            model: 'dictionary',
            dictionaryEntry: { key: nodeB, value: { exists: true, value: hex(`02 00 16 00 00 00 12 01 10 ${'22 '.repeat(16)}`) } },
          },
          signature,
        },
        {
          storageTime: 0n,
          lifetime: 0,
          value: { model: 'dictionary', dictionaryEntry: { key: nodeC, value: { exists: false, value: new Uint8Array(0) } } },
          signature: syntheticNonexistentSignature(),
        },
      ],
    },
  ],
};

describe('FetchReq / FetchAns vectors', () => {
  it('FetchReq with array ranges (0xFFFFFFFF), dictionary keys and a single-value specifier', () => {
    expect(decodeFetchReq(fetchReqBytes, kinds)).toEqual(fetchReq);
    expect(encodeFetchReq(fetchReq, kinds)).toEqual(fetchReqBytes);
  });

  it('wildcard dictionary fetch (no keys)', () => {
    const bytes = hex(`
      00                         // resource: empty
      00 10                      // specifiers: 16 bytes
        00 00 00 01 00 00 00 00 00 00 00 00 // SIP-REGISTRATION, generation 0
        00 02 00 00              // length 2: keys<0..2^16-1> empty (wildcard)
    `);
    const v: FetchReq = { resource: new Uint8Array(0), specifiers: [{ kind: 1, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] };
    expect(decodeFetchReq(bytes, ianaKindModels)).toEqual(v);
    expect(encodeFetchReq(v)).toEqual(bytes);
  });

  it('dictionary FetchAns with two entries and a non-existent one', () => {
    const decoded = decodeFetchAns(fetchAnsBytes, ianaKindModels);
    expect(decoded).toEqual(fetchAns);
    expect(encodeFetchAns(fetchAns, ianaKindModels)).toEqual(fetchAnsBytes);
    const values = decoded.kindResponses[0]!.values.map((d) => (d.value.model === 'dictionary' ? d.value.dictionaryEntry.value : undefined));
    expect(decodeSipRegistration(values[0]!.value)).toEqual({ kind: 'uri', uri: Uint8Array.of(0x61, 0x40, 0x62) });
    expect(decodeSipRegistration(values[1]!.value)).toEqual({ kind: 'route', contactPrefs: new Uint8Array(0), destinationList: [{ kind: 'node', nodeId: nodeB }] });
  });

  it('FetchAns whose generation matched (no values)', () => {
    const bytes = hex('00 00 00 10 00 00 00 02 00 00 00 00 00 00 00 04 00 00 00 00');
    const v: FetchAns = { kindResponses: [{ kind: 2, generation: 4n, values: [] }] };
    expect(decodeFetchAns(bytes, ianaKindModels)).toEqual(v);
    expect(encodeFetchAns(v)).toEqual(bytes);
  });
});

describe('FetchReq / FetchAns failures', () => {
  it('unknown Kind in a specifier', () => {
    const e = decodeFailure(() => decodeFetchReq(fetchReqBytes, ianaKindModels)) as UnknownKindError;
    expect(e).toBeInstanceOf(UnknownKindError);
    expect(e.kindId).toBe(PRIVATE_DICTIONARY);
    expect(e.kindIds).toEqual([PRIVATE_DICTIONARY]);
    expect(e.path).toBe('FetchReq.specifiers[1].StoredDataSpecifier.kind');
    expect(e.offset).toBe(38);
  });

  it('several unknown Kinds are all listed', () => {
    const e = decodeFailure(() => decodeFetchReq(fetchReqBytes, () => undefined)) as UnknownKindError;
    expect(e.kindIds).toEqual([KindId.CERTIFICATE_BY_NODE, PRIVATE_DICTIONARY, KindId.TURN_SERVICE]);
    expect(e.offset).toBe(6);
  });

  it('unknown Kind in a FetchAns', () => {
    const e = decodeFailure(() => decodeFetchAns(fetchAnsBytes, kindModelsFrom([], () => undefined))) as UnknownKindError;
    expect(e).toBeInstanceOf(UnknownKindError);
    expect(e.kindId).toBe(KindId.SIP_REGISTRATION);
    expect(e.path).toBe('FetchAns.kindResponses[0].FetchKindResponse.kind');
  });

  it('a single-value specifier with a non-empty model_specifier', () => {
    const bytes = hex('00 00 10 00 00 00 02 00 00 00 00 00 00 00 00 00 02 00 00');
    const e = decodeFailure(() => decodeFetchReq(bytes, ianaKindModels));
    expect(e.path).toBe('FetchReq.specifiers[0].StoredDataSpecifier.modelSpecifier');
    expect(e.reason).toMatch(/2 unread byte/);
  });

  it('specifier length beyond the specifier list', () => {
    const bytes = fetchReqBytes.slice();
    bytes[19] = 0x13; // first specifier's length 18 -> 19
    const e = decodeFailure(() => decodeFetchReq(bytes, kinds));
    expect(e.path).toMatch(/^FetchReq\.specifiers\[/);
  });

  it('array indices not a whole number of ArrayRanges', () => {
    const bytes = hex('00 00 14 00 00 00 03 00 00 00 00 00 00 00 00 00 06 00 04 00 00 00 01');
    const e = decodeFailure(() => decodeFetchReq(bytes, ianaKindModels));
    expect(e.path).toBe('FetchReq.specifiers[0].StoredDataSpecifier.modelSpecifier.indices[0].ArrayRange.last');
  });

  it('Boolean 2 in exists of the non-existent value', () => {
    const bytes = fetchAnsBytes.slice();
    bytes[bytes.length - 12] = 2;
    const e = decodeFailure(() => decodeFetchAns(bytes, ianaKindModels));
    expect(e.path).toBe('FetchAns.kindResponses[0].FetchKindResponse.values[2].StoredData.StoredDataValue.DictionaryEntry.DataValue.exists');
  });

  it('StoredData length mismatch', () => {
    const bytes = fetchAnsBytes.slice();
    bytes[23] = 0x3d; // first StoredData.length 60 -> 61
    const e = decodeFailure(() => decodeFetchAns(bytes, ianaKindModels));
    expect(e.path).toBe('FetchAns.kindResponses[0].FetchKindResponse.values[0].StoredData.length');
    expect(e.offset).toBe(20);
  });

  it('trailing byte', () => {
    expect(decodeFailure(() => decodeFetchAns(Uint8Array.from([...fetchAnsBytes, 0]), ianaKindModels)).path).toBe('FetchAns');
    expect(decodeFailure(() => decodeFetchReq(Uint8Array.from([...fetchReqBytes, 0]), kinds)).path).toBe('FetchReq');
  });

  it('encoder: specifier model differs from the Kind', () => {
    const wrong: FetchReq = { resource: new Uint8Array(0), specifiers: [{ kind: 1, generation: 0n, modelSpecifier: { model: 'single' } }] };
    expect(() => encodeFetchReq(wrong, ianaKindModels)).toThrow(EncodeError);
    expect(encodeFetchReq(wrong)).toEqual(hex('00 00 0e 00 00 00 01 00 00 00 00 00 00 00 00 00 00'));
  });

  it('encoder: an ArrayRange bound beyond uint32', () => {
    const wrong: FetchReq = { resource: new Uint8Array(0), specifiers: [{ kind: 3, generation: 0n, modelSpecifier: { model: 'array', indices: [{ first: -1, last: 0 }] } }] };
    expect(() => encodeFetchReq(wrong)).toThrow(EncodeError);
  });
});

describe('FetchReq / FetchAns properties', () => {
  it('FetchReq: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    roundTripsWithKinds(arbWithKinds(arbFetchReq), encodeFetchReq, decodeFetchReq);
  });

  it('FetchAns: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    roundTripsWithKinds(arbWithKinds(arbFetchAns), encodeFetchAns, decodeFetchAns);
  });

  it('mutated bytes raise only DecodeError', () => {
    damageWithKindsRaisesOnlyDecodeError(arbWithKinds(arbFetchAns), encodeFetchAns, decodeFetchAns);
  });
});
