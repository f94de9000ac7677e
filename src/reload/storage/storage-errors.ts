import { ReloadError } from '../runtime/reload-error.js';
import { ErrorCode, type ErrorCodeName } from '../wire/message-codes.js';
import { encodeStoreAns, type StoreAns } from '../wire/storage/store.js';
import { MAX_UNKNOWN_KINDS, encodeUnknownKindsInfo } from '../wire/storage/unknown-kinds-info.js';

/** A ReloadError whose error_info is UTF-8 text (§6.3.3.1). */
export function storageError(name: ErrorCodeName, text: string): ReloadError {
  return ReloadError.of(name, text);
}

/**
 * RFC 6940 §7.4.1.2 Error_Unknown_Kind: error_info is `KindId unknown_kinds<0..2^8-1>` listing
 * all the unrecognized Kinds (at most 63 fit; the rest are left out). Also what the transport
 * answers for an UnknownKindError raised while decoding a request (`e.kindIds`).
 */
export function unknownKindError(kindIds: readonly number[]): ReloadError {
  const unknownKinds = [...new Set(kindIds)].slice(0, MAX_UNKNOWN_KINDS);
  const hex = unknownKinds.map((k) => `0x${k.toString(16)}`).join(', ');
  return new ReloadError(ErrorCode.Error_Unknown_Kind, encodeUnknownKindsInfo({ unknownKinds }), `Error_Unknown_Kind: ${hex}`);
}

/**
 * RFC 6940 §7.4.1.2 Error_Generation_Counter_Too_Low: "The error_info in the ErrorResponse MUST
 * be a StoreAns response containing the correct generation counter for each Kind and the replica
 * list, which will be empty."
 */
export function generationTooLowError(answer: StoreAns): ReloadError {
  const kinds = answer.kindResponses.map((k) => `0x${k.kind.toString(16)}=${k.generationCounter}`).join(', ');
  return new ReloadError(ErrorCode.Error_Generation_Counter_Too_Low, encodeStoreAns(answer), `Error_Generation_Counter_Too_Low: current ${kinds}`);
}
