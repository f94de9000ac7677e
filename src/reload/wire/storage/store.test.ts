import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '../codec/decode-error.js';
import { KindId } from '../message-codes.js';
import { arbStoreAns, arbStoreKindDataTriple, arbStoreReq, arbWithKinds, IANA_KIND_TABLE, kindModelsOf } from '../testing/storage.arb.js';
import { ianaKindModels, kindModelsFrom, UnknownKindError } from './data-model.js';
import { decodeTurnServer } from './kinds/turn-server.js';
import { decodeStoreAns, decodeStoreReq, encodeStoreAns, encodeStoreReq, type StoreAns, type StoreReq } from './store.js';
import { damageWithKindsRaisesOnlyDecodeError, decodeFailure, hex, roundTrips, roundTripsWithKinds, signature } from '../testing/codec-test-kit.js';

/** RFC 6940 §7.4.1.1: a StoreReq of one TURN-SERVICE (single value) StoredData holding a §9 TurnServer. */
const storeReqBytes = hex(`
  04 01 02 03 04                 // resource: ResourceId<0..2^8-1>, 4 bytes
  00                             // replica_number: 0 (original store)
  00 00 00 3f                    // kind_data<0..2^32-1>: 63 bytes
    00 00 00 02                  //   StoreKindData.kind: TURN-SERVICE
    00 00 00 00 00 00 00 07      //   generation_counter: 7
    00 00 00 2f                  //   values<0..2^32-1>: 47 bytes
      00 00 00 2b                //     StoredData.length: 43
      00 00 01 8b cf e5 68 00    //     storage_time
      00 01 51 80                //     lifetime: 86400
      01                         //     DataValue.exists: True
      00 00 00 09                //     DataValue.value: 9 bytes
        01                       //       TurnServer.iteration: 1
        01 06 c0 00 02 01 0d 96  //       server_address: ipv4_address, length 6, 192.0.2.1:3478
      04 01                      //     Signature.algorithm {sha256, rsa}
      01 00 06 04 04 aa bb cc dd //     SignerIdentity cert_hash
      00 04 de ad be ef          //     signature_value
`);

const storeReq: StoreReq = {
  resource: Uint8Array.of(1, 2, 3, 4),
  replicaNumber: 0,
  kindData: [
    {
      kind: KindId.TURN_SERVICE,
      generationCounter: 7n,
      values: [
        {
          storageTime: 0x18bcfe56800n,
          lifetime: 86400,
          value: { model: 'single', singleValueEntry: { exists: true, value: hex('01 01 06 c0 00 02 01 0d 96') } },
          signature,
        },
      ],
    },
  ],
};

/** RFC 6940 §7.4.1.2: a StoreAns with one StoreKindResponse naming two replicas. */
const storeAnsBytes = hex(`
  00 2e                          // kind_responses<0..2^16-1>: 46 bytes
    00 00 00 02                  //   kind: TURN-SERVICE
    00 00 00 00 00 00 00 08      //   generation_counter: 8
    00 20                        //   replicas<0..2^16-1>: 32 bytes = 2 Node-IDs
      11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11
      22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22
`);

const storeAns: StoreAns = {
  kindResponses: [{ kind: KindId.TURN_SERVICE, generationCounter: 8n, replicas: [new Uint8Array(16).fill(0x11), new Uint8Array(16).fill(0x22)] }],
};

describe('StoreReq / StoreAns vectors', () => {
  it('StoreReq with one single-value StoredData', () => {
    const decoded = decodeStoreReq(storeReqBytes, ianaKindModels);
    expect(decoded).toEqual(storeReq);
    expect(encodeStoreReq(storeReq)).toEqual(storeReqBytes);
    expect(encodeStoreReq(storeReq, ianaKindModels)).toEqual(storeReqBytes);
    const value = decoded.kindData[0]?.values[0]?.value;
    expect(value?.model === 'single' && decodeTurnServer(value.singleValueEntry.value)).toEqual({
      iteration: 1,
      serverAddress: { kind: 'ipv4', address: Uint8Array.of(192, 0, 2, 1), port: 3478 },
    });
  });

  it('StoreReq with no kind data', () => {
    const bytes = hex('00 05 00 00 00 00'); // empty resource, replica 5, kind_data empty
    expect(decodeStoreReq(bytes, ianaKindModels)).toEqual({ resource: new Uint8Array(0), replicaNumber: 5, kindData: [] });
    expect(encodeStoreReq({ resource: new Uint8Array(0), replicaNumber: 5, kindData: [] })).toEqual(bytes);
  });

  it('StoreAns with two replicas', () => {
    expect(decodeStoreAns(storeAnsBytes)).toEqual(storeAns);
    expect(encodeStoreAns(storeAns)).toEqual(storeAnsBytes);
  });

  it('empty StoreAns (the error_info of Error_Generation_Counter_Too_Low has empty replica lists)', () => {
    expect(decodeStoreAns(hex('00 00'))).toEqual({ kindResponses: [] });
  });
});

describe('StoreReq / StoreAns failures', () => {
  it('unknown Kind: UnknownKindError with the Kind-ID and the kind field', () => {
    const bytes = storeReqBytes.slice();
    bytes[13] = 0x63; // kind 0x63
    const e = decodeFailure(() => decodeStoreReq(bytes, ianaKindModels));
    expect(e).toBeInstanceOf(UnknownKindError);
    expect((e as UnknownKindError).kindId).toBe(0x63);
    expect((e as UnknownKindError).kindIds).toEqual([0x63]);
    expect(e.path).toBe('StoreReq.kindData[0].StoreKindData.kind');
    expect(e.offset).toBe(10);
  });

  it('several unknown Kinds are all listed (RFC 6940 §7.4.1.2)', () => {
    const kind = (id: string) => `${id} 00 00 00 00 00 00 00 00 00 00 00 00`; // kind, generation 0, no values: 16 bytes
    // resource empty, replica_number 0, kind_data: 4 x 16 = 64 bytes
    const bytes = hex(`00 00 00 00 00 40 ${kind('00 00 00 63')} ${kind('00 00 00 02')} ${kind('f0 00 00 01')} ${kind('00 00 00 63')}`);
    const e = decodeFailure(() => decodeStoreReq(bytes, ianaKindModels)) as UnknownKindError;
    expect(e).toBeInstanceOf(UnknownKindError);
    expect(e.kindId).toBe(0x63);
    expect(e.kindIds).toEqual([0x63, 0xf0000001]);
    expect(e.offset).toBe(6);
    // Configured, they decode.
    const kinds = kindModelsFrom([
      [0x63, 'array'],
      [0xf0000001, 'dictionary'],
    ]);
    expect(decodeStoreReq(bytes, kinds).kindData.map((k) => k.kind)).toEqual([0x63, 2, 0xf0000001, 0x63]);
  });

  it('StoredData length mismatch', () => {
    const bytes = storeReqBytes.slice();
    bytes[29] = 0x2a;
    const e = decodeFailure(() => decodeStoreReq(bytes, ianaKindModels));
    expect(e.path).toBe('StoreReq.kindData[0].StoreKindData.values[0].StoredData.length');
    expect(e.offset).toBe(26);
  });

  it('Boolean 2 in exists', () => {
    const bytes = storeReqBytes.slice();
    bytes[42] = 2;
    const e = decodeFailure(() => decodeStoreReq(bytes, ianaKindModels));
    expect(e.path).toBe('StoreReq.kindData[0].StoreKindData.values[0].StoredData.StoredDataValue.DataValue.exists');
    expect(e.offset).toBe(42);
  });

  it('trailing byte', () => {
    const e = decodeFailure(() => decodeStoreReq(Uint8Array.from([...storeReqBytes, 0]), ianaKindModels));
    expect(e.path).toBe('StoreReq');
    expect(e.reason).toMatch(/1 trailing byte/);
  });

  it('truncated input', () => {
    const e = decodeFailure(() => decodeStoreReq(storeReqBytes.subarray(0, 40), ianaKindModels));
    expect(e.path).toBe('StoreReq.kindData');
  });

  it('replicas not a whole number of Node-IDs', () => {
    const bytes = hex('00 1d 00 00 00 02 00 00 00 00 00 00 00 08 00 0f 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11');
    const e = decodeFailure(() => decodeStoreAns(bytes));
    expect(e.path).toBe('StoreAns.kindResponses[0].StoreKindResponse.replicas[0].nodeId');
  });

  it('StoreAns trailing byte', () => {
    expect(decodeFailure(() => decodeStoreAns(hex('00 00 00'))).path).toBe('StoreAns');
  });

  it('encoder: a value in the wrong model for its Kind', () => {
    const wrong: StoreReq = {
      ...storeReq,
      kindData: [{ ...storeReq.kindData[0]!, kind: KindId.SIP_REGISTRATION }],
    };
    expect(() => encodeStoreReq(wrong, ianaKindModels)).toThrow(EncodeError);
    expect(() => encodeStoreReq(wrong, ianaKindModels)).toThrow(/StoreKindData\.values\[0\]: a single value where the Kind's data model is dictionary/);
  });

  it('encoder: an unknown Kind when Kinds are given', () => {
    const unknown: StoreReq = { ...storeReq, kindData: [{ ...storeReq.kindData[0]!, kind: 0x63 }] };
    expect(() => encodeStoreReq(unknown, ianaKindModels)).toThrow(/unknown Kind 0x63/);
  });

  it('encoder: values of one Kind in two models', () => {
    const first = storeReq.kindData[0]!;
    const v = first.values[0]!;
    const mixed: StoreReq = {
      ...storeReq,
      kindData: [{ ...first, values: [v, { ...v, value: { model: 'array', arrayEntry: { index: 0, value: { exists: false, value: new Uint8Array(0) } } } }] }],
    };
    expect(() => encodeStoreReq(mixed)).toThrow(EncodeError);
  });

  it('encoder: a Node-ID of the wrong size', () => {
    expect(() => encodeStoreAns({ kindResponses: [{ kind: 1, generationCounter: 0n, replicas: [new Uint8Array(20)] }] })).toThrow(EncodeError);
  });
});

describe('StoreReq / StoreAns properties', () => {
  it('StoreReq: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    roundTripsWithKinds(arbWithKinds(arbStoreReq), encodeStoreReq, decodeStoreReq);
  });

  it('StoreReq over the IANA Kinds', () => {
    fc.assert(
      fc.property(arbStoreReq(IANA_KIND_TABLE), (value) => {
        expect(decodeStoreReq(encodeStoreReq(value, ianaKindModels), ianaKindModels)).toEqual(value);
      }),
      { numRuns: 50 },
    );
  });

  it('a (kind, model, StoreKindData) triple is consistent', () => {
    fc.assert(
      fc.property(arbStoreKindDataTriple, ({ kind, model, kindData }) => {
        expect(kindData.kind).toBe(kind);
        for (const d of kindData.values) expect(d.value.model).toBe(model);
        const req: StoreReq = { resource: new Uint8Array(0), replicaNumber: 0, kindData: [kindData] };
        const kinds = kindModelsOf([{ kind, model }]);
        expect(decodeStoreReq(encodeStoreReq(req, kinds), kinds)).toEqual(req);
      }),
      { numRuns: 50 },
    );
  });

  it('StoreAns: decode(encode(x)) = x and encode(decode(b)) = b', () => {
    roundTrips(arbStoreAns, encodeStoreAns, decodeStoreAns, { damage: false });
  });

  it('mutated bytes raise only DecodeError', () => {
    damageWithKindsRaisesOnlyDecodeError(arbWithKinds(arbStoreReq), encodeStoreReq, decodeStoreReq);
  });
});
