import { decodeAll } from '../wire/codec/reader.js';
import { withPooledWriter } from '../wire/codec/writer.js';
import type { DataModel } from '../wire/storage/data-model.js';
import { readStoredData, writeStoredData, type StoredData } from '../wire/storage/stored-data.js';

/**
 * How the persistent backends (SQLite, IndexedDB) keep a StoredData: its RFC 6940 §7 wire
 * encoding, which the codec already checks both ways, plus the data model needed to decode it
 * (§7.2: "The actual data model is known from the Kind being stored"). No second format.
 */
export const MODEL_CODES: Readonly<Record<DataModel, number>> = { single: 1, array: 2, dictionary: 3 };

const MODELS_BY_CODE = new Map<number, DataModel>(Object.entries(MODEL_CODES).map(([m, c]) => [c, m as DataModel]));

/**
 * The encoding in bytes of its own (Writer.finishOwn), not a view of a shared byte slab
 * (codec/byte-slab.ts): the backends keep it for the value's lifetime or write it out whole (an
 * IndexedDB put structured-clones a view's whole buffer).
 */
export function encodeStoredDataBytes(data: StoredData): Uint8Array {
  return withPooledWriter((w) => {
    writeStoredData(w, data);
    return w.finishOwn();
  });
}

export function decodeStoredDataBytes(bytes: Uint8Array, modelCode: number): StoredData {
  const model = MODELS_BY_CODE.get(modelCode);
  if (!model) throw new Error(`stored record has unknown data model code ${modelCode}`);
  return decodeAll(bytes, 'StoredData', (r) => readStoredData(r, model));
}
