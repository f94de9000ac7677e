import { EncodeError } from '../codec/decode-error.js';
import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readResourceId, writeResourceId, type ResourceId } from '../ids.js';
import { encoderModel, modelOfKind, UnknownKinds, type DataModel, type KindModels } from './data-model.js';
import { kindValuesLayout, readKindValues, readKindValuesList, writeKindValues, writeKindValuesList } from './kind-values.js';
import { checkModels, readDictionaryKey, readStoredData, writeDictionaryKey, writeStoredData, type DictionaryKey, type StoredData } from './stored-data.js';

/**
 * RFC 6940 §7.4.2.1 ArrayRange. Declared `int32` but 0xFFFFFFFF means "the final element", so
 * both fields are read and written as uint32 (rfc6940-readings #10). §7.4.2.1: first <= last and
 * ranges do not overlap (checked by storage, not by the codec).
 */
export interface ArrayRange {
  readonly first: number;
  readonly last: number;
}

/** RFC 6940 §7.4.2.1: "0xffffffff is used to indicate the final element". */
export const ARRAY_LAST_INDEX = 0xffffffff;

/**
 * RFC 6940 §7.4.2.1 `model_specifier`: `select (DataModel)`; `model` (not on the wire) is the
 * Kind's data model. A dictionary specifier with no keys is a wildcard fetch.
 */
export type ModelSpecifier =
  | { readonly model: 'single' }
  | { readonly model: 'array'; readonly indices: readonly ArrayRange[] }
  | { readonly model: 'dictionary'; readonly keys: readonly DictionaryKey[] };

/**
 * RFC 6940 §7.4.2.1 StoredDataSpecifier. The wire's uint16 `length` (of the model_specifier that
 * follows) is computed on encode and must be filled exactly on decode.
 */
export interface StoredDataSpecifier {
  readonly kind: number;
  /** The last generation counter the requester saw, or 0. */
  readonly generation: bigint;
  readonly modelSpecifier: ModelSpecifier;
}

/** RFC 6940 §7.4.2.1 FetchReq. */
export interface FetchReq {
  readonly resource: ResourceId;
  /** `StoredDataSpecifier specifiers<0..2^16-1>`. */
  readonly specifiers: readonly StoredDataSpecifier[];
}

/** RFC 6940 §7.4.2.2 FetchKindResponse. */
export interface FetchKindResponse {
  readonly kind: number;
  readonly generation: bigint;
  /** `StoredData values<0..2^32-1>`: empty when the request's generation matched (§7.4.2.1). */
  readonly values: readonly StoredData[];
}

/** RFC 6940 §7.4.2.2 FetchAns. */
export interface FetchAns {
  /** `FetchKindResponse kind_responses<0..2^32-1>`. */
  readonly kindResponses: readonly FetchKindResponse[];
}

export function readArrayRange(r: Reader): ArrayRange {
  return r.scope('ArrayRange', () => ({ first: r.u32('first'), last: r.u32('last') }));
}

export function writeArrayRange(w: Writer, v: ArrayRange): void {
  w.u32(v.first, 'ArrayRange.first').u32(v.last, 'ArrayRange.last');
}

function readModelSpecifier(r: Reader, model: DataModel): ModelSpecifier {
  switch (model) {
    case 'single':
      return { model }; // RFC 6940 §7.4.2.1: "If the data model is single value, the specifier is empty."
    case 'array':
      return { model, indices: r.vector('indices', 2, readArrayRange) };
    case 'dictionary':
      return { model, keys: r.vector('keys', 2, (s) => readDictionaryKey(s, 'key')) };
  }
}

function writeModelSpecifier(w: Writer, v: ModelSpecifier): void {
  switch (v.model) {
    case 'single':
      return;
    case 'array':
      w.prefixed(2, () => v.indices.forEach((a) => writeArrayRange(w, a)), 'StoredDataSpecifier.indices');
      return;
    case 'dictionary':
      w.prefixed(2, () => v.keys.forEach((k) => writeDictionaryKey(w, k, 'StoredDataSpecifier.keys')), 'StoredDataSpecifier.keys');
      return;
    default:
      throw new EncodeError('StoredDataSpecifier.modelSpecifier', `unknown data model ${String((v as { model: unknown }).model)}`);
  }
}

function readStoredDataSpecifierBody(r: Reader, model: (kind: number, at: number) => DataModel | undefined): StoredDataSpecifier | undefined {
  return r.scope('StoredDataSpecifier', () => {
    const at = r.offset;
    const kind = r.u32('kind');
    const generation = r.u64('generation');
    const length = r.length('length', 2);
    const m = model(kind, at);
    if (m === undefined) {
      // §7.4.2.1: `length` ("thus allowing extensibility") lets us skip what we cannot read.
      r.fixed('modelSpecifier', length);
      return undefined;
    }
    return { kind, generation, modelSpecifier: r.sub('modelSpecifier', length, (s) => readModelSpecifier(s, m)) };
  });
}

/** RFC 6940 §7.4.2.1 StoredDataSpecifier; an unknown Kind raises UnknownKindError. */
export function readStoredDataSpecifier(r: Reader, kinds: KindModels): StoredDataSpecifier {
  // modelOfKind throws for an unknown Kind, so the body is always read.
  return readStoredDataSpecifierBody(r, (kind, at) => modelOfKind(r, kinds, kind, at)) ?? r.fail('kind', 'unknown Kind');
}

/** Writes a StoredDataSpecifier; with `kinds`, its model must be the Kind's. */
export function writeStoredDataSpecifier(w: Writer, v: StoredDataSpecifier, kinds?: KindModels): void {
  checkModels('StoredDataSpecifier.modelSpecifier', encoderModel('StoredDataSpecifier.kind', kinds, v.kind), [v.modelSpecifier]);
  w.u32(v.kind, 'StoredDataSpecifier.kind');
  w.u64(v.generation, 'StoredDataSpecifier.generation');
  w.prefixed(2, () => writeModelSpecifier(w, v.modelSpecifier), 'StoredDataSpecifier.length');
}

/**
 * The shared body of FetchReq and StatReq (§7.4.3.1: "identical to the Fetch request"). Unknown
 * Kinds are all collected, then raised as one UnknownKindError (§7.4.1.2).
 */
export function readResourceSpecifiers(r: Reader, kinds: KindModels): FetchReq {
  const unknown = new UnknownKinds();
  const resource = readResourceId(r, 'resource');
  const specifiers = r
    .vector('specifiers', 2, (s) => readStoredDataSpecifierBody(s, (kind, at) => unknown.model(s, kinds, kind, at)))
    .filter((v): v is StoredDataSpecifier => v !== undefined);
  unknown.throwIfAny();
  return { resource, specifiers };
}

export function writeResourceSpecifiers(w: Writer, structure: string, v: FetchReq, kinds?: KindModels): void {
  writeResourceId(w, v.resource, `${structure}.resource`);
  w.prefixed(2, () => v.specifiers.forEach((s) => writeStoredDataSpecifier(w, s, kinds)), `${structure}.specifiers`);
}

/** RFC 6940 §7.4.2.1 FetchReq. */
export function readFetchReq(r: Reader, kinds: KindModels): FetchReq {
  return r.scope('FetchReq', () => readResourceSpecifiers(r, kinds));
}

export function writeFetchReq(w: Writer, v: FetchReq, kinds?: KindModels): void {
  writeResourceSpecifiers(w, 'FetchReq', v, kinds);
}

export function decodeFetchReq(bytes: Uint8Array, kinds: KindModels): FetchReq {
  return decodeAll(bytes, 'FetchReq', (r) => readFetchReq(r, kinds));
}

export function encodeFetchReq(v: FetchReq, kinds?: KindModels): Uint8Array {
  return encodeWith((w) => writeFetchReq(w, v, kinds));
}

const fetchKindResponse = kindValuesLayout<FetchKindResponse, StoredData>({
  structure: 'FetchKindResponse',
  generationField: 'generation',
  readValue: readStoredData,
  writeValue: writeStoredData,
  modelOf: (d) => d.value,
  make: (kind, generation, values) => ({ kind, generation, values }),
  generationOf: (v) => v.generation,
});

/** RFC 6940 §7.4.2.2 FetchKindResponse; an unknown Kind raises UnknownKindError. */
export function readFetchKindResponse(r: Reader, kinds: KindModels): FetchKindResponse {
  return readKindValues(r, fetchKindResponse, kinds);
}

export function writeFetchKindResponse(w: Writer, v: FetchKindResponse, kinds?: KindModels): void {
  writeKindValues(w, fetchKindResponse, v, kinds);
}

/** RFC 6940 §7.4.2.2 FetchAns; unknown Kinds are collected and raised together. */
export function readFetchAns(r: Reader, kinds: KindModels): FetchAns {
  return r.scope('FetchAns', () => ({ kindResponses: readKindValuesList(r, 'kindResponses', fetchKindResponse, kinds) }));
}

export function writeFetchAns(w: Writer, v: FetchAns, kinds?: KindModels): void {
  writeKindValuesList(w, 'FetchAns.kindResponses', fetchKindResponse, v.kindResponses, kinds);
}

export function decodeFetchAns(bytes: Uint8Array, kinds: KindModels): FetchAns {
  return decodeAll(bytes, 'FetchAns', (r) => readFetchAns(r, kinds));
}

export function encodeFetchAns(v: FetchAns, kinds?: KindModels): Uint8Array {
  return encodeWith((w) => writeFetchAns(w, v, kinds));
}
