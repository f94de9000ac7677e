import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readNodeId, readResourceId, writeNodeId, writeResourceId, type NodeId, type ResourceId } from '../ids.js';
import type { KindModels } from './data-model.js';
import { kindValuesLayout, readKindValues, readKindValuesList, writeKindValues, writeKindValuesList } from './kind-values.js';
import { readStoredData, writeStoredData, type StoredData } from './stored-data.js';

/** RFC 6940 §7.4.1.1 StoreKindData: the values of one Kind, all in the Kind's data model. */
export interface StoreKindData {
  readonly kind: number;
  readonly generationCounter: bigint;
  /** `StoredData values<0..2^32-1>`. */
  readonly values: readonly StoredData[];
}

/** RFC 6940 §7.4.1.1 StoreReq. */
export interface StoreReq {
  readonly resource: ResourceId;
  /** 0 for an original store, 1… for replicas (§7.4.1.1, §10.4). */
  readonly replicaNumber: number;
  /** `StoreKindData kind_data<0..2^32-1>`. */
  readonly kindData: readonly StoreKindData[];
}

/** RFC 6940 §7.4.1.2 StoreKindResponse. */
export interface StoreKindResponse {
  readonly kind: number;
  readonly generationCounter: bigint;
  /** `NodeId replicas<0..2^16-1>`. */
  readonly replicas: readonly NodeId[];
}

/**
 * RFC 6940 §7.4.1.2 StoreAns; also the `error_info` of Error_Generation_Counter_Too_Low.
 */
export interface StoreAns {
  /** `StoreKindResponse kind_responses<0..2^16-1>`. */
  readonly kindResponses: readonly StoreKindResponse[];
}

const storeKindData = kindValuesLayout<StoreKindData, StoredData>({
  structure: 'StoreKindData',
  generationField: 'generationCounter',
  readValue: readStoredData,
  writeValue: writeStoredData,
  modelOf: (d) => d.value,
  make: (kind, generationCounter, values) => ({ kind, generationCounter, values }),
  generationOf: (v) => v.generationCounter,
});

/** RFC 6940 §7.4.1.1 StoreKindData; an unknown Kind raises UnknownKindError. */
export function readStoreKindData(r: Reader, kinds: KindModels): StoreKindData {
  return readKindValues(r, storeKindData, kinds);
}

/** Writes StoreKindData; with `kinds`, every value must be in the Kind's model. */
export function writeStoreKindData(w: Writer, v: StoreKindData, kinds?: KindModels): void {
  writeKindValues(w, storeKindData, v, kinds);
}

/**
 * RFC 6940 §7.4.1.1 StoreReq. Unknown Kinds are all collected, then raised together as one
 * UnknownKindError (§7.4.1.2: Error_Unknown_Kind lists every unrecognized Kind).
 */
export function readStoreReq(r: Reader, kinds: KindModels): StoreReq {
  return r.scope('StoreReq', () => {
    const resource = readResourceId(r, 'resource');
    const replicaNumber = r.u8('replicaNumber');
    const kindData = readKindValuesList(r, 'kindData', storeKindData, kinds);
    return { resource, replicaNumber, kindData };
  });
}

export function writeStoreReq(w: Writer, v: StoreReq, kinds?: KindModels): void {
  writeResourceId(w, v.resource, 'StoreReq.resource');
  w.u8(v.replicaNumber, 'StoreReq.replicaNumber');
  writeKindValuesList(w, 'StoreReq.kindData', storeKindData, v.kindData, kinds);
}

export function decodeStoreReq(bytes: Uint8Array, kinds: KindModels): StoreReq {
  return decodeAll(bytes, 'StoreReq', (r) => readStoreReq(r, kinds));
}

export function encodeStoreReq(v: StoreReq, kinds?: KindModels): Uint8Array {
  return encodeWith((w) => writeStoreReq(w, v, kinds));
}

export function readStoreKindResponse(r: Reader): StoreKindResponse {
  return r.scope('StoreKindResponse', () => ({
    kind: r.u32('kind'),
    generationCounter: r.u64('generationCounter'),
    replicas: r.vector('replicas', 2, (s) => readNodeId(s, 'nodeId')),
  }));
}

export function writeStoreKindResponse(w: Writer, v: StoreKindResponse): void {
  w.u32(v.kind, 'StoreKindResponse.kind');
  w.u64(v.generationCounter, 'StoreKindResponse.generationCounter');
  w.prefixed(2, () => v.replicas.forEach((id) => writeNodeId(w, id, 'StoreKindResponse.replicas')), 'StoreKindResponse.replicas');
}

export function readStoreAns(r: Reader): StoreAns {
  return r.scope('StoreAns', () => ({
    kindResponses: r.vector('kindResponses', 2, readStoreKindResponse),
  }));
}

export function writeStoreAns(w: Writer, v: StoreAns): void {
  w.prefixed(2, () => v.kindResponses.forEach((k) => writeStoreKindResponse(w, k)), 'StoreAns.kindResponses');
}

export function decodeStoreAns(bytes: Uint8Array): StoreAns {
  return decodeAll(bytes, 'StoreAns', readStoreAns);
}

export function encodeStoreAns(v: StoreAns): Uint8Array {
  return encodeWith((w) => writeStoreAns(w, v));
}
