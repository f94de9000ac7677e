/** fast-check arbitrary for the RFC 6940 §7.4.1.2 Error_Unknown_Kind error_info. */
import fc from 'fast-check';
import { MAX_UNKNOWN_KINDS, type UnknownKindsInfo } from '../storage/unknown-kinds-info.js';

/** RFC 6940 §7.4.1.2 `KindId unknown_kinds<0..2^8-1>` (at most 63 Kind-IDs; kept to 8 here). */
export const arbUnknownKindsInfo: fc.Arbitrary<UnknownKindsInfo> = fc.record({
  unknownKinds: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: Math.min(8, MAX_UNKNOWN_KINDS) }),
});
