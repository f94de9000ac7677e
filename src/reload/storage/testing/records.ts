/** Builders of StoredRecords for backend tests (any signature will do: backends do not verify), and what the backend contract's files share. */
import type { NodeId, ResourceId } from '../../wire/ids.js';
import type { Signature } from '../../wire/security-block.js';
import type { StoredData, StoredDataValue } from '../../wire/storage/stored-data.js';
import { encodeStoredDataBytes } from '../record-encoding.js';
import type { HeldCertificate } from '../held-certificates.js';
import type { StoredRecord } from '../stored-record.js';
import { hexKey } from '../ring-range.js';
import type { StorageBackend } from '../storage-backend.js';

/** Fresh, empty backends, one per case of the contract (storage-backend.contract.ts). */
export type BackendFactory = () => Promise<StorageBackend>;

/** Resource-IDs as hex, to compare lists of them. */
export function hexes(ids: readonly Uint8Array[]): string[] {
  return ids.map((id) => hexKey(id));
}

/** A 16-byte id whose first byte is `first` and last byte `last` (chord-reload ids are 128 bits). */
export function id16(first: number, last = 0): Uint8Array {
  const out = new Uint8Array(16);
  out[0] = first;
  out[15] = last;
  return out;
}

/** Four Resource-IDs in ring order, the contract's locations (storage-backend.contract.ts and storage-backend-counters.contract.ts). */
export const R1 = id16(0x10);
export const R2 = id16(0x20);
export const R3 = id16(0x30);
export const R4 = id16(0x40);

export const NODE_A: NodeId = id16(0xa0, 1);
export const NODE_B: NodeId = id16(0xb0, 2);

const signature: Signature = {
  algorithm: { hash: 4, signature: 1 },
  identity: { identityType: 1, hashAlg: 4, hash: Uint8Array.of(1, 2, 3, 4) },
  signatureValue: Uint8Array.of(9, 9, 9),
};

export interface RecordSpec {
  readonly resourceId: ResourceId;
  readonly kind?: number;
  readonly value: StoredDataValue;
  readonly storageTime?: bigint;
  readonly lifetime?: number;
  readonly storedAt?: number;
  readonly expiresAt?: number;
  readonly user?: string;
  readonly node?: NodeId;
  /** Hashes of held certificates (each must be held or come in the same WriteBatch). */
  readonly certificates?: readonly string[];
}

export function single(text: string, exists = true): StoredDataValue {
  return { model: 'single', singleValueEntry: { exists, value: new TextEncoder().encode(exists ? text : '') } };
}

export function entry(index: number, text: string): StoredDataValue {
  return { model: 'array', arrayEntry: { index, value: { exists: true, value: new TextEncoder().encode(text) } } };
}

export function dict(key: Uint8Array, text: string): StoredDataValue {
  return { model: 'dictionary', dictionaryEntry: { key, value: { exists: true, value: new TextEncoder().encode(text) } } };
}

export function record(spec: RecordSpec): StoredRecord {
  const data: StoredData = { storageTime: spec.storageTime ?? 1000n, lifetime: spec.lifetime ?? 60, value: spec.value, signature };
  const storedAt = spec.storedAt ?? 0;
  return {
    resourceId: spec.resourceId,
    kind: spec.kind ?? 7,
    data,
    storedAt,
    expiresAt: spec.expiresAt ?? storedAt + (spec.lifetime ?? 60) * 1000,
    storerUser: spec.user ?? 'alice@example.com',
    storerNode: spec.node ?? NODE_A,
    size: encodeStoredDataBytes(data).length,
    certificates: spec.certificates ?? [],
  };
}

/** A held certificate named `hash` (backends take the name as given) of `size` bytes. */
export function heldCertificate(hash: string, size = 100): HeldCertificate {
  return { hash, certificate: { type: 0, certificate: new Uint8Array(size).fill(hash.charCodeAt(0)) } };
}
