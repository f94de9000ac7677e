/**
 * fast-check arbitraries for RFC 6940 §7 storage structures and the payloads of the Kinds we
 * use (RFC 7904 SipRegistration, §9 TurnServer, §8 certificates, RFC 7374 RedirServiceProvider).
 * They generate only valid values (vector bounds, one model per Kind, unique Kinds per request).
 *
 * Kind-dependent structures need a KindModels to decode. They are generated from a table of
 * `{ kind, model }` pairs: `arbStoreReq(table)` etc. use Kinds from the table only, and
 * `arbWithKinds(arbStoreReq)` draws a random table too and returns it with its KindModels.
 */
import fc from 'fast-check';
import { destinationListSize } from '../destination.js';
import { KindId } from '../message-codes.js';
import type { Signature } from '../security-block.js';
import { IANA_KIND_MODELS, kindModelsFrom, type DataModel, type KindModels } from '../storage/data-model.js';
import type { ArrayRange, FetchAns, FetchKindResponse, FetchReq, ModelSpecifier, StoredDataSpecifier } from '../storage/fetch.js';
import type { FindAns, FindKindData, FindReq } from '../storage/find.js';
import { encodeRedirServiceProvider, type RedirServiceProvider } from '../storage/kinds/redir.js';
import { encodeSipRegistration, type SipRegistration } from '../storage/kinds/sip-registration.js';
import { encodeTurnServer, type TurnServer } from '../storage/kinds/turn-server.js';
import type { CertificateValue } from '../storage/kinds/certificate.js';
import type {
  ArrayEntryMeta,
  DictionaryEntryMeta,
  MetaData,
  MetaDataValue,
  StatAns,
  StatKindResponse,
  StatReq,
  StoredMetaData,
} from '../storage/stat.js';
import type { StoreAns, StoreKindData, StoreKindResponse, StoreReq } from '../storage/store.js';
import {
  dataValueOf,
  syntheticNonexistentSignature,
  type ArrayEntry,
  type DataValue,
  type DictionaryEntry,
  type DictionaryKey,
  type StoredData,
  type StoredDataValue,
} from '../storage/stored-data.js';
import { arbDestination, arbDestinationList, arbNodeId, arbSignature } from './envelope.arb.js';
import { arbIpAddressPort } from './methods.arb.js';
import { bytes, u16, u32, u64, u8 } from './primitives.arb.js';

// ---------------------------------------------------------------- Kinds and data models

/** RFC 6940 §7.2 DataModel. */
export const arbDataModel: fc.Arbitrary<DataModel> = fc.constantFrom<DataModel>('single', 'array', 'dictionary');

/** One Kind and its data model. */
export interface KindModel {
  readonly kind: number;
  readonly model: DataModel;
}

/** The IANA Kinds we know, as a table (for values Wireshark can dissect). */
export const IANA_KIND_TABLE: readonly KindModel[] = [...IANA_KIND_MODELS].map(([kind, model]) => ({ kind, model }));

/** Any Kind-ID (uint32) with any model. */
export const arbKindModel: fc.Arbitrary<KindModel> = fc.record({ kind: u32, model: arbDataModel });

/** A table of distinct Kinds (0..maxLength), mixing IANA Kinds and random ones. */
export function arbKindModelTable(maxLength = 4): fc.Arbitrary<KindModel[]> {
  return fc.uniqueArray(fc.oneof(fc.constantFrom(...IANA_KIND_TABLE), arbKindModel), { maxLength, selector: (k) => k.kind });
}

/** The KindModels of a table (nothing else is known: other Kinds are unknown). */
export function kindModelsOf(table: readonly KindModel[]): KindModels {
  return kindModelsFrom(table.map((k) => [k.kind, k.model] as const), () => undefined);
}

/** A generated value with the Kinds it uses. */
export interface WithKinds<T> {
  readonly value: T;
  readonly table: readonly KindModel[];
  readonly kinds: KindModels;
}

/** Draws a Kind table, then a value from `arb(table)`; returns both with the table's KindModels. */
export function arbWithKinds<T>(arb: (table: readonly KindModel[]) => fc.Arbitrary<T>, maxKinds = 4): fc.Arbitrary<WithKinds<T>> {
  return arbKindModelTable(maxKinds).chain((table) => arb(table).map((value) => ({ value, table, kinds: kindModelsOf(table) })));
}

// ---------------------------------------------------------------- Kind payloads

/** RFC 7904 §3.2 SipRegistration: uri, route (destination list of at least 3 bytes), unknown types. */
export const arbSipRegistration: fc.Arbitrary<SipRegistration> = fc.oneof(
  fc.record({ kind: fc.constant('uri' as const), uri: bytes(64) }),
  fc.record({
    kind: fc.constant('route' as const),
    contactPrefs: bytes(32),
    destinationList: fc.array(arbDestination(), { minLength: 1, maxLength: 4 }).filter((l) => destinationListSize(l) >= 3),
  }),
  fc.record({
    kind: fc.constant('unknown' as const),
    type: fc.integer({ min: 0, max: 0xff }).filter((t) => t !== 1 && t !== 2),
    data: bytes(48),
  }),
);

/** RFC 6940 §9 TurnServer. */
export const arbTurnServer: fc.Arbitrary<TurnServer> = fc.record({ iteration: u8, serverAddress: arbIpAddressPort() });

/**
 * A value of the RFC 6940 §8 certificate Kinds: a DER SEQUENCE (short and long length forms)
 * around random content; valid framing, not a parseable X.509 certificate.
 */
export const arbCertificateValue: fc.Arbitrary<CertificateValue> = bytes(200).map((content) => {
  const n = content.length;
  const header = n < 0x80 ? [0x30, n] : [0x30, 0x81, n];
  const out = new Uint8Array(header.length + n);
  out.set(header);
  out.set(content, header.length);
  return out;
});

/** RFC 7374 §4.1 RedirServiceProvider (type none with no extension, or another type with one). */
export const arbRedirServiceProvider: fc.Arbitrary<RedirServiceProvider> = fc.record({
  type: u8,
  destinationList: arbDestinationList(),
  namespace: fc.oneof(fc.constantFrom('turn-server', 'voice-mail').map((s) => new TextEncoder().encode(s)), bytes(24)),
  level: u16,
  node: u16,
  extension: bytes(24),
}).map((v) => (v.type === 0 ? { ...v, extension: new Uint8Array(0) } : v));

/** The DataValue.value of an existing value of `kind`: its payload encoding, random bytes for other Kinds. */
export function arbKindValue(kind: number): fc.Arbitrary<Uint8Array> {
  switch (kind) {
    case KindId.SIP_REGISTRATION:
      return arbSipRegistration.map(encodeSipRegistration);
    case KindId.TURN_SERVICE:
      return arbTurnServer.map(encodeTurnServer);
    case KindId.CERTIFICATE_BY_NODE:
    case KindId.CERTIFICATE_BY_USER:
      return arbCertificateValue;
    case KindId.REDIR:
      return arbRedirServiceProvider.map(encodeRedirServiceProvider);
    default:
      return bytes(64);
  }
}

/** A dictionary key of `kind`: a Node-ID for SIP-REGISTRATION and REDIR, else any opaque key. */
export function arbDictionaryKeyFor(kind?: number): fc.Arbitrary<DictionaryKey> {
  return kind === KindId.SIP_REGISTRATION || kind === KindId.REDIR ? arbNodeId : arbDictionaryKey;
}

// ---------------------------------------------------------------- StoredData (§7, §7.2)

/** RFC 6940 §7.2.3 DictionaryKey. */
export const arbDictionaryKey: fc.Arbitrary<DictionaryKey> = bytes(32);

/** RFC 6940 §7.2 DataValue: existing with `value`, or non-existent and empty (§7.4.1.3). */
export function arbDataValue(value: fc.Arbitrary<Uint8Array> = bytes(64)): fc.Arbitrary<DataValue> {
  return fc.oneof(
    { arbitrary: value.map((v) => ({ exists: true, value: v })), weight: 3 },
    { arbitrary: fc.constant({ exists: false, value: new Uint8Array(0) }), weight: 1 },
  );
}

/** RFC 6940 §7.2.2 ArrayEntry (any index, 0xFFFFFFFF included). */
export function arbArrayEntry(kind?: number): fc.Arbitrary<ArrayEntry> {
  return fc.record({ index: fc.oneof(u32, fc.constant(0xffffffff)), value: arbDataValue(kind === undefined ? undefined : arbKindValue(kind)) });
}

/** RFC 6940 §7.2.3 DictionaryEntry. */
export function arbDictionaryEntry(kind?: number): fc.Arbitrary<DictionaryEntry> {
  return fc.record({ key: arbDictionaryKeyFor(kind), value: arbDataValue(kind === undefined ? undefined : arbKindValue(kind)) });
}

/** RFC 6940 §7.2 StoredDataValue of `model` (payloads of `kind` when given). */
export function arbStoredDataValue(model: DataModel, kind?: number): fc.Arbitrary<StoredDataValue> {
  switch (model) {
    case 'single':
      return arbDataValue(kind === undefined ? undefined : arbKindValue(kind)).map((singleValueEntry) => ({ model, singleValueEntry }));
    case 'array':
      return arbArrayEntry(kind).map((arrayEntry) => ({ model, arrayEntry }));
    case 'dictionary':
      return arbDictionaryEntry(kind).map((dictionaryEntry) => ({ model, dictionaryEntry }));
  }
}

/** Options for `arbStoredData`. */
export interface StoredDataArbOptions {
  readonly kind?: number;
  readonly signature?: fc.Arbitrary<Signature>;
  /** Non-existent values may carry the synthetic §7.4.2.2 signature (FetchAns only; default false). */
  readonly synthetic?: boolean;
}

/** RFC 6940 §7 StoredData of `model`. */
export function arbStoredData(model: DataModel, options: StoredDataArbOptions = {}): fc.Arbitrary<StoredData> {
  const signature = options.signature ?? arbSignature();
  return fc
    .record({ storageTime: u64, lifetime: u32, value: arbStoredDataValue(model, options.kind), signature, synthetic: fc.boolean() })
    .map(({ synthetic, ...d }) => {
      return options.synthetic && synthetic && !dataValueOf(d.value).exists ? { ...d, signature: syntheticNonexistentSignature() } : d;
    });
}

// ---------------------------------------------------------------- Store (§7.4.1)

/** RFC 6940 §7.4.1.1 StoreKindData of one Kind (all values in its model). */
export function arbStoreKindData(km: KindModel): fc.Arbitrary<StoreKindData> {
  return fc.record({
    kind: fc.constant(km.kind),
    generationCounter: u64,
    values: fc.array(arbStoredData(km.model, { kind: km.kind }), { maxLength: 4 }),
  });
}

/** A consistent (kind, model, StoreKindData) triple. */
export const arbStoreKindDataTriple: fc.Arbitrary<KindModel & { readonly kindData: StoreKindData }> = fc
  .oneof(fc.constantFrom(...IANA_KIND_TABLE), arbKindModel)
  .chain((km) => arbStoreKindData(km).map((kindData) => ({ ...km, kindData })));

function arbKindSubset(table: readonly KindModel[]): fc.Arbitrary<KindModel[]> {
  return fc.shuffledSubarray([...table]);
}

/** RFC 6940 §7.4.1.1 StoreReq over Kinds of `table` (each at most once). */
export function arbStoreReq(table: readonly KindModel[]): fc.Arbitrary<StoreReq> {
  return fc.record({
    resource: bytes(32),
    replicaNumber: u8,
    kindData: arbKindSubset(table).chain((kms) => fc.tuple(...kms.map(arbStoreKindData))),
  });
}

/** RFC 6940 §7.4.1.2 StoreKindResponse. */
export const arbStoreKindResponse: fc.Arbitrary<StoreKindResponse> = fc.record({
  kind: u32,
  generationCounter: u64,
  replicas: fc.array(arbNodeId, { maxLength: 4 }),
});

/** RFC 6940 §7.4.1.2 StoreAns. */
export const arbStoreAns: fc.Arbitrary<StoreAns> = fc.record({ kindResponses: fc.array(arbStoreKindResponse, { maxLength: 4 }) });

// ---------------------------------------------------------------- Fetch (§7.4.2)

/** RFC 6940 §7.4.2.1 ArrayRange (first <= last; 0xFFFFFFFF for "last" included). */
export const arbArrayRange: fc.Arbitrary<ArrayRange> = fc
  .tuple(u32, fc.oneof(u32, fc.constant(0xffffffff)))
  .map(([a, b]) => ({ first: Math.min(a, b), last: Math.max(a, b) }));

/** RFC 6940 §7.4.2.1 model_specifier of `model`. */
export function arbModelSpecifier(model: DataModel, kind?: number): fc.Arbitrary<ModelSpecifier> {
  switch (model) {
    case 'single':
      return fc.constant({ model });
    case 'array':
      return fc.array(arbArrayRange, { maxLength: 4 }).map((indices) => ({ model, indices }));
    case 'dictionary':
      return fc.array(arbDictionaryKeyFor(kind), { maxLength: 4 }).map((keys) => ({ model, keys }));
  }
}

/** RFC 6940 §7.4.2.1 StoredDataSpecifier of one Kind. */
export function arbStoredDataSpecifier(km: KindModel): fc.Arbitrary<StoredDataSpecifier> {
  return fc.record({ kind: fc.constant(km.kind), generation: u64, modelSpecifier: arbModelSpecifier(km.model, km.kind) });
}

function arbSpecifiers(table: readonly KindModel[]): fc.Arbitrary<StoredDataSpecifier[]> {
  return arbKindSubset(table).chain((kms) => fc.tuple(...kms.map(arbStoredDataSpecifier)));
}

/** RFC 6940 §7.4.2.1 FetchReq over Kinds of `table`. */
export function arbFetchReq(table: readonly KindModel[]): fc.Arbitrary<FetchReq> {
  return fc.record({ resource: bytes(32), specifiers: arbSpecifiers(table) });
}

/** RFC 6940 §7.4.2.2 FetchKindResponse (non-existent values may carry the synthetic signature). */
export function arbFetchKindResponse(km: KindModel): fc.Arbitrary<FetchKindResponse> {
  return fc.record({
    kind: fc.constant(km.kind),
    generation: u64,
    values: fc.array(arbStoredData(km.model, { kind: km.kind, synthetic: true }), { maxLength: 4 }),
  });
}

/** RFC 6940 §7.4.2.2 FetchAns over Kinds of `table`. */
export function arbFetchAns(table: readonly KindModel[]): fc.Arbitrary<FetchAns> {
  return fc.record({ kindResponses: arbKindSubset(table).chain((kms) => fc.tuple(...kms.map(arbFetchKindResponse))) });
}

// ---------------------------------------------------------------- Stat (§7.4.3)

/** RFC 6940 §7.4.3.1 StatReq over Kinds of `table`. */
export function arbStatReq(table: readonly KindModel[]): fc.Arbitrary<StatReq> {
  return fc.record({ resource: bytes(32), specifiers: arbSpecifiers(table) });
}

/** RFC 6940 §7.4.3.2 MetaData. */
export const arbMetaData: fc.Arbitrary<MetaData> = fc.record({ exists: fc.boolean(), valueLength: u32, hashAlgorithm: u8, hashValue: bytes(64) });

/** RFC 6940 §7.4.3.2 ArrayEntryMeta. */
export const arbArrayEntryMeta: fc.Arbitrary<ArrayEntryMeta> = fc.record({ index: u32, value: arbMetaData });

/** RFC 6940 §7.4.3.2 DictionaryEntryMeta. */
export function arbDictionaryEntryMeta(kind?: number): fc.Arbitrary<DictionaryEntryMeta> {
  return fc.record({ key: arbDictionaryKeyFor(kind), value: arbMetaData });
}

/** RFC 6940 §7.4.3.2 MetaDataValue of `model`. */
export function arbMetaDataValue(model: DataModel, kind?: number): fc.Arbitrary<MetaDataValue> {
  switch (model) {
    case 'single':
      return arbMetaData.map((singleValueEntry) => ({ model, singleValueEntry }));
    case 'array':
      return arbArrayEntryMeta.map((arrayEntry) => ({ model, arrayEntry }));
    case 'dictionary':
      return arbDictionaryEntryMeta(kind).map((dictionaryEntry) => ({ model, dictionaryEntry }));
  }
}

/** RFC 6940 §7.4.3.2 StoredMetaData of `model`. */
export function arbStoredMetaData(model: DataModel, kind?: number): fc.Arbitrary<StoredMetaData> {
  return fc.record({ storageTime: u64, lifetime: u32, metadata: arbMetaDataValue(model, kind) });
}

/** RFC 6940 §7.4.3.2 StatKindResponse of one Kind. */
export function arbStatKindResponse(km: KindModel): fc.Arbitrary<StatKindResponse> {
  return fc.record({ kind: fc.constant(km.kind), generation: u64, values: fc.array(arbStoredMetaData(km.model, km.kind), { maxLength: 4 }) });
}

/** RFC 6940 §7.4.3.2 StatAns over Kinds of `table`. */
export function arbStatAns(table: readonly KindModel[]): fc.Arbitrary<StatAns> {
  return fc.record({ kindResponses: arbKindSubset(table).chain((kms) => fc.tuple(...kms.map(arbStatKindResponse))) });
}

// ---------------------------------------------------------------- Find (§7.4.4)

/** RFC 6940 §7.4.4.1 FindReq (distinct Kinds, at most 8). */
export const arbFindReq: fc.Arbitrary<FindReq> = fc.record({ resource: bytes(32), kinds: fc.uniqueArray(u32, { maxLength: 8 }) });

/** RFC 6940 §7.4.4.2 FindKindData. */
export const arbFindKindData: fc.Arbitrary<FindKindData> = fc.record({ kind: u32, closest: bytes(32) });

/** RFC 6940 §7.4.4.2 FindAns. */
export const arbFindAns: fc.Arbitrary<FindAns> = fc.record({ results: fc.array(arbFindKindData, { maxLength: 8 }) });
