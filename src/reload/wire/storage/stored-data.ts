import { EncodeError } from '../codec/decode-error.js';
import type { Reader } from '../codec/reader.js';
import type { Writer } from '../codec/writer.js';
import { readSignature, writeSignature, type Signature } from '../security-block.js';
import type { DataModel } from './data-model.js';

/** RFC 6940 §7.2 DataValue: `exists` tells a missing value from an empty one. */
export interface DataValue {
  readonly exists: boolean;
  /** `opaque value<0..2^32-1>`: the Kind's own encoding (e.g. a SipRegistration). */
  readonly value: Uint8Array;
}

/** RFC 6940 §7.2.2 ArrayEntry. `index` 0xFFFFFFFF in a Store appends (§7.4.1.1). */
export interface ArrayEntry {
  readonly index: number;
  readonly value: DataValue;
}

/** RFC 6940 §7.2.3 `typedef opaque DictionaryKey<0..2^16-1>`. */
export type DictionaryKey = Uint8Array;

/** RFC 6940 §7.2.3 DictionaryEntry. */
export interface DictionaryEntry {
  readonly key: DictionaryKey;
  readonly value: DataValue;
}

/**
 * RFC 6940 §7.2 StoredDataValue: `select (DataModel)`, the model coming from the Kind. `model`
 * is the discriminant (not on the wire).
 */
export type StoredDataValue =
  | { readonly model: 'single'; readonly singleValueEntry: DataValue }
  | { readonly model: 'array'; readonly arrayEntry: ArrayEntry }
  | { readonly model: 'dictionary'; readonly dictionaryEntry: DictionaryEntry };

/**
 * RFC 6940 §7 StoredData. The wire's leading `length` (the size of the rest of the structure) is
 * not kept: the encoder computes it and the decoder checks it.
 */
export interface StoredData {
  /** Milliseconds since 1970-01-01 UTC (§7). */
  readonly storageTime: bigint;
  /** Seconds, counted from when the storing peer receives the StoreReq (§7). */
  readonly lifetime: number;
  readonly value: StoredDataValue;
  /**
   * §7.1 signature. A non-existent value synthesized in a FetchAns (§7.4.2.2) carries
   * algorithm {0, 0}, identity type `none` and an empty signature value (rfc6940-readings #12).
   */
  readonly signature: Signature;
}

/**
 * RFC 6940 §7.4.2.2: the signature of a non-existent value synthesized in a FetchAns: algorithm
 * {0, 0} ("anonymous" and "none"), identity type `none`, zero-length signature value
 * (rfc6940-readings #12). A StoreReq carrying it MUST be rejected (§7.4.1.1).
 */
export function syntheticNonexistentSignature(): Signature {
  return { algorithm: { hash: 0, signature: 0 }, identity: { identityType: 3 }, signatureValue: new Uint8Array(0) };
}

/** RFC 6940 §7.4.1.1: a Store at array index 0xFFFFFFFF appends to the array. */
export const ARRAY_APPEND_INDEX = 0xffffffff;

export function readDataValue(r: Reader): DataValue {
  return r.scope('DataValue', () => ({
    exists: r.bool('exists'),
    value: r.opaque('value', 4),
  }));
}

export function writeDataValue(w: Writer, v: DataValue): void {
  w.bool(v.exists);
  w.opaque(4, v.value, 'DataValue.value');
}

export function readDictionaryKey(r: Reader, field = 'key'): DictionaryKey {
  return r.opaque(field, 2);
}

export function writeDictionaryKey(w: Writer, key: DictionaryKey, field = 'DictionaryKey'): void {
  w.opaque(2, key, field);
}

export function readArrayEntry(r: Reader): ArrayEntry {
  return r.scope('ArrayEntry', () => ({
    index: r.u32('index'),
    value: readDataValue(r),
  }));
}

export function writeArrayEntry(w: Writer, v: ArrayEntry): void {
  w.u32(v.index, 'ArrayEntry.index');
  writeDataValue(w, v.value);
}

export function readDictionaryEntry(r: Reader): DictionaryEntry {
  return r.scope('DictionaryEntry', () => ({
    key: readDictionaryKey(r),
    value: readDataValue(r),
  }));
}

export function writeDictionaryEntry(w: Writer, v: DictionaryEntry): void {
  writeDictionaryKey(w, v.key, 'DictionaryEntry.key');
  writeDataValue(w, v.value);
}

/** RFC 6940 §7.2: the arm of the select is the Kind's data model. */
export function readStoredDataValue(r: Reader, model: DataModel): StoredDataValue {
  return r.scope('StoredDataValue', (): StoredDataValue => {
    switch (model) {
      case 'single':
        return { model, singleValueEntry: readDataValue(r) };
      case 'array':
        return { model, arrayEntry: readArrayEntry(r) };
      case 'dictionary':
        return { model, dictionaryEntry: readDictionaryEntry(r) };
    }
  });
}

export function writeStoredDataValue(w: Writer, v: StoredDataValue): void {
  switch (v.model) {
    case 'single':
      return writeDataValue(w, v.singleValueEntry);
    case 'array':
      return writeArrayEntry(w, v.arrayEntry);
    case 'dictionary':
      return writeDictionaryEntry(w, v.dictionaryEntry);
    default:
      throw new EncodeError('StoredDataValue.model', `unknown data model ${String((v as { model: unknown }).model)}`);
  }
}

/** The DataValue inside a StoredDataValue, whatever its model. */
export function dataValueOf(v: StoredDataValue): DataValue {
  switch (v.model) {
    case 'single':
      return v.singleValueEntry;
    case 'array':
      return v.arrayEntry.value;
    case 'dictionary':
      return v.dictionaryEntry.value;
  }
}

/**
 * RFC 6940 §7 StoredData, its value read with the Kind's data `model`. `length` ("the size of the
 * StoredData structure, in bytes, excluding the size of length itself") must match exactly.
 */
export function readStoredData(r: Reader, model: DataModel): StoredData {
  return r.scope('StoredData', () => {
    const at = r.offset;
    const length = r.length('length', 4);
    const start = r.offset;
    const storageTime = r.u64('storageTime');
    const lifetime = r.u32('lifetime');
    const value = readStoredDataValue(r, model);
    const signature = readSignature(r);
    const actual = r.offset - start;
    if (actual !== length) r.fail('length', `length ${length} does not match the ${actual} bytes of the StoredData`, at);
    return { storageTime, lifetime, value, signature };
  });
}

/** Writes StoredData with its `length` computed. */
export function writeStoredData(w: Writer, v: StoredData): void {
  w.prefixed(
    4,
    () => {
      w.u64(v.storageTime, 'StoredData.storageTime');
      w.u32(v.lifetime, 'StoredData.lifetime');
      writeStoredDataValue(w, v.value);
      writeSignature(w, v.signature);
    },
    'StoredData.length',
  );
}

/** Every value of one Kind shares the Kind's model; EncodeError otherwise (the wire could not tell). */
export function checkModels(field: string, model: DataModel | undefined, models: readonly { readonly model: DataModel }[]): void {
  const expected = model ?? models[0]?.model;
  models.forEach((m, i) => {
    if (m.model !== expected) {
      throw new EncodeError(`${field}[${i}]`, `a ${m.model} value where the Kind's data model is ${String(expected)}`);
    }
  });
}
