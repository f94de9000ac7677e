export { DecodeError, EncodeError } from './decode-error.js';
export { Reader, decodeAll, MAX_FOR_LENGTH_BYTES, type LengthBytes } from './reader.js';
export { Writer, encodeWith } from './writer.js';
export { toHex, fromHex, bytesEqual } from './hex.js';
export { concatBytes } from './concat-bytes.js';
export { lowerBound, upperBound, itself, type SortKey } from './sorted.js';
