import { EncodeError } from '../codec/decode-error.js';
import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import type { DataModel, KindModels } from './data-model.js';
import { readResourceSpecifiers, writeResourceSpecifiers, type FetchReq } from './fetch.js';
import { kindValuesLayout, readKindValues, readKindValuesList, writeKindValues, writeKindValuesList } from './kind-values.js';
import { readDictionaryKey, writeDictionaryKey, type DictionaryKey } from './stored-data.js';

/** RFC 6940 §7.4.3.1 StatReq: "identical to the Fetch request", so it is a FetchReq. */
export type StatReq = FetchReq;

/** RFC 6940 §7.4.3.2 MetaData: what a DataValue would be, without the value. */
export interface MetaData {
  readonly exists: boolean;
  /** The length of the stored value. */
  readonly valueLength: number;
  /** TLS HashAlgorithm (see security-block.ts `HashAlgorithm`). */
  readonly hashAlgorithm: number;
  /**
   * `opaque hash_value<0..255>`: a digest of the DataValue's `value` field "including its 4
   * leading length bytes" (§7.4.3.2).
   */
  readonly hashValue: Uint8Array;
}

/** RFC 6940 §7.4.3.2 ArrayEntryMeta. */
export interface ArrayEntryMeta {
  readonly index: number;
  readonly value: MetaData;
}

/** RFC 6940 §7.4.3.2 DictionaryEntryMeta. */
export interface DictionaryEntryMeta {
  readonly key: DictionaryKey;
  readonly value: MetaData;
}

/** RFC 6940 §7.4.3.2 MetaDataValue: `select (DataModel)` like StoredDataValue. */
export type MetaDataValue =
  | { readonly model: 'single'; readonly singleValueEntry: MetaData }
  | { readonly model: 'array'; readonly arrayEntry: ArrayEntryMeta }
  | { readonly model: 'dictionary'; readonly dictionaryEntry: DictionaryEntryMeta };

/**
 * RFC 6940 §7.4.3.2 StoredMetaData. Its leading uint32 `value_length` is read as the StoredData
 * `length` it stands for ("the same as the corresponding fields in StoredData"): the size of
 * the rest of this structure. So it is computed on encode and checked on decode, as Wireshark's
 * dissector also reads it.
 */
export interface StoredMetaData {
  readonly storageTime: bigint;
  readonly lifetime: number;
  readonly metadata: MetaDataValue;
}

/** RFC 6940 §7.4.3.2 StatKindResponse. */
export interface StatKindResponse {
  readonly kind: number;
  readonly generation: bigint;
  /** `StoredMetaData values<0..2^32-1>`. */
  readonly values: readonly StoredMetaData[];
}

/** RFC 6940 §7.4.3.2 StatAns. */
export interface StatAns {
  /** `StatKindResponse kind_responses<0..2^32-1>`. */
  readonly kindResponses: readonly StatKindResponse[];
}

/** RFC 6940 §7.4.3.1 StatReq. */
export function readStatReq(r: Reader, kinds: KindModels): StatReq {
  return r.scope('StatReq', () => readResourceSpecifiers(r, kinds));
}

export function writeStatReq(w: Writer, v: StatReq, kinds?: KindModels): void {
  writeResourceSpecifiers(w, 'StatReq', v, kinds);
}

export function decodeStatReq(bytes: Uint8Array, kinds: KindModels): StatReq {
  return decodeAll(bytes, 'StatReq', (r) => readStatReq(r, kinds));
}

export function encodeStatReq(v: StatReq, kinds?: KindModels): Uint8Array {
  return encodeWith((w) => writeStatReq(w, v, kinds));
}

export function readMetaData(r: Reader): MetaData {
  return r.scope('MetaData', () => ({
    exists: r.bool('exists'),
    valueLength: r.u32('valueLength'),
    hashAlgorithm: r.u8('hashAlgorithm'),
    hashValue: r.opaque('hashValue', 1),
  }));
}

export function writeMetaData(w: Writer, v: MetaData): void {
  w.bool(v.exists);
  w.u32(v.valueLength, 'MetaData.valueLength');
  w.u8(v.hashAlgorithm, 'MetaData.hashAlgorithm');
  w.opaque(1, v.hashValue, 'MetaData.hashValue');
}

export function readArrayEntryMeta(r: Reader): ArrayEntryMeta {
  return r.scope('ArrayEntryMeta', () => ({ index: r.u32('index'), value: readMetaData(r) }));
}

export function writeArrayEntryMeta(w: Writer, v: ArrayEntryMeta): void {
  w.u32(v.index, 'ArrayEntryMeta.index');
  writeMetaData(w, v.value);
}

export function readDictionaryEntryMeta(r: Reader): DictionaryEntryMeta {
  return r.scope('DictionaryEntryMeta', () => ({ key: readDictionaryKey(r), value: readMetaData(r) }));
}

export function writeDictionaryEntryMeta(w: Writer, v: DictionaryEntryMeta): void {
  writeDictionaryKey(w, v.key, 'DictionaryEntryMeta.key');
  writeMetaData(w, v.value);
}

export function readMetaDataValue(r: Reader, model: DataModel): MetaDataValue {
  return r.scope('MetaDataValue', (): MetaDataValue => {
    switch (model) {
      case 'single':
        return { model, singleValueEntry: readMetaData(r) };
      case 'array':
        return { model, arrayEntry: readArrayEntryMeta(r) };
      case 'dictionary':
        return { model, dictionaryEntry: readDictionaryEntryMeta(r) };
    }
  });
}

export function writeMetaDataValue(w: Writer, v: MetaDataValue): void {
  switch (v.model) {
    case 'single':
      return writeMetaData(w, v.singleValueEntry);
    case 'array':
      return writeArrayEntryMeta(w, v.arrayEntry);
    case 'dictionary':
      return writeDictionaryEntryMeta(w, v.dictionaryEntry);
    default:
      throw new EncodeError('MetaDataValue.model', `unknown data model ${String((v as { model: unknown }).model)}`);
  }
}

export function readStoredMetaData(r: Reader, model: DataModel): StoredMetaData {
  return r.scope('StoredMetaData', () => {
    const at = r.offset;
    const length = r.length('valueLength', 4);
    const start = r.offset;
    const storageTime = r.u64('storageTime');
    const lifetime = r.u32('lifetime');
    const metadata = readMetaDataValue(r, model);
    const actual = r.offset - start;
    if (actual !== length) r.fail('valueLength', `value_length ${length} does not match the ${actual} bytes of the StoredMetaData`, at);
    return { storageTime, lifetime, metadata };
  });
}

export function writeStoredMetaData(w: Writer, v: StoredMetaData): void {
  w.prefixed(
    4,
    () => {
      w.u64(v.storageTime, 'StoredMetaData.storageTime');
      w.u32(v.lifetime, 'StoredMetaData.lifetime');
      writeMetaDataValue(w, v.metadata);
    },
    'StoredMetaData.valueLength',
  );
}

const statKindResponse = kindValuesLayout<StatKindResponse, StoredMetaData>({
  structure: 'StatKindResponse',
  generationField: 'generation',
  readValue: readStoredMetaData,
  writeValue: writeStoredMetaData,
  modelOf: (d) => d.metadata,
  make: (kind, generation, values) => ({ kind, generation, values }),
  generationOf: (v) => v.generation,
});

/** RFC 6940 §7.4.3.2 StatKindResponse; an unknown Kind raises UnknownKindError. */
export function readStatKindResponse(r: Reader, kinds: KindModels): StatKindResponse {
  return readKindValues(r, statKindResponse, kinds);
}

export function writeStatKindResponse(w: Writer, v: StatKindResponse, kinds?: KindModels): void {
  writeKindValues(w, statKindResponse, v, kinds);
}

/** RFC 6940 §7.4.3.2 StatAns; unknown Kinds are collected and raised together. */
export function readStatAns(r: Reader, kinds: KindModels): StatAns {
  return r.scope('StatAns', () => ({ kindResponses: readKindValuesList(r, 'kindResponses', statKindResponse, kinds) }));
}

export function writeStatAns(w: Writer, v: StatAns, kinds?: KindModels): void {
  writeKindValuesList(w, 'StatAns.kindResponses', statKindResponse, v.kindResponses, kinds);
}

export function decodeStatAns(bytes: Uint8Array, kinds: KindModels): StatAns {
  return decodeAll(bytes, 'StatAns', (r) => readStatAns(r, kinds));
}

export function encodeStatAns(v: StatAns, kinds?: KindModels): Uint8Array {
  return encodeWith((w) => writeStatAns(w, v, kinds));
}
