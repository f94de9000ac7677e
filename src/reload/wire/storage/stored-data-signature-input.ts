import { encodeWith } from '../codec/writer.js';
import type { ResourceId } from '../ids.js';
import { writeSignerIdentity, type SignerIdentity } from '../security-block.js';
import { writeStoredDataValue, type StoredDataValue } from './stored-data.js';

/**
 * RFC 6940 §7.1: the bytes a StoredData signature is computed over,
 *
 *     resource_id || kind || storage_time || StoredDataValue || SignerIdentity
 *
 * Our readings (the RFC says no more):
 * - `resource_id` is the Resource-ID's bytes alone, without the one-byte length its
 *   `opaque ResourceId<0..2^8-1>` carries inside a message (like `overlay` and `transaction_id`
 *   of the §6.3.4 message signature input, it is the field's value);
 * - `kind` is the KindId as on the wire, a uint32; `storage_time` a uint64 (§7);
 * - `StoredDataValue` and `SignerIdentity` are their wire encodings (the identity with its type
 *   and length, §6.3.4);
 * - RFC 6940 §7.4.2.2: "the index value in the array is set to zero before the signature is
 *   computed", so an array entry is signed with index 0 whatever index it is stored at (a Store
 *   at 0xFFFFFFFF appends, and the stored index is only known to the storing peer).
 */
export function storedDataSignatureInput(
  resourceId: ResourceId,
  kind: number,
  storageTime: bigint,
  value: StoredDataValue,
  identity: SignerIdentity,
): Uint8Array {
  const signedValue: StoredDataValue = value.model === 'array' ? { model: 'array', arrayEntry: { index: 0, value: value.arrayEntry.value } } : value;
  return encodeWith((w) => {
    w.bytes(resourceId, 'resource_id');
    w.u32(kind, 'kind');
    w.u64(storageTime, 'storage_time');
    writeStoredDataValue(w, signedValue);
    writeSignerIdentity(w, identity);
  });
}
