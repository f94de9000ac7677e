/**
 * The RFC 6940 §6.3.2 ForwardingHeader read straight from bytes the caller owns, for the path
 * every message takes on every hop (forwarding decodes the header of each message it receives or
 * sends). It accepts only headers whose every entry is plainly valid — Node-ID and Resource-ID
 * destinations, no forwarding options — and answers undefined for anything else, so the caller
 * falls back to `readForwardingHeader`, which raises the exact DecodeError. On what it accepts, it
 * gives the same value `readForwardingHeader` gives, with Node-IDs and Resource-IDs as views of
 * `bytes` (fast-forwarding-header.test.ts checks both against random and damaged headers).
 */
import { DestinationType, type Destination } from './destination.js';
import { FORWARDING_HEADER_FIXED_SIZE, FragmentBits, RELO_TOKEN, type ForwardingHeader, type ForwardingHeaderChecks } from './forwarding-header.js';
import { NODE_ID_LENGTH } from './ids.js';
import { readU16, readU32 } from './codec/network-order.js';

/** Eight bytes to read a uint64 from without a DataView per header. */
const U64_BYTES = new Uint8Array(8);
const U64_VIEW = new DataView(U64_BYTES.buffer);
const NO_OPTIONS: readonly never[] = Object.freeze([]);
/** An empty via or destination list (read-only: one frozen array for the many messages with an empty via list). */
const NO_DESTINATIONS: readonly Destination[] = Object.freeze([]);

/** The header and its encoded size, or undefined when `bytes` needs the full reader. */
export function readForwardingHeaderFast(bytes: Uint8Array, checks: ForwardingHeaderChecks): { readonly header: ForwardingHeader; readonly headerLength: number } | undefined {
  const n = bytes.length;
  if (n < FORWARDING_HEADER_FIXED_SIZE || readU32(bytes, 0) !== RELO_TOKEN) return undefined;
  const fragment = readU32(bytes, 12);
  if ((fragment & FragmentBits.ALWAYS_SET) === 0) return undefined;
  const length = readU32(bytes, 16);
  if (checks.maxMessageSize !== undefined && length > checks.maxMessageSize) return undefined;
  if (checks.totalLength !== undefined && length !== checks.totalLength) return undefined;
  const viaListLength = readU16(bytes, 32);
  const destinationListLength = readU16(bytes, 34);
  const optionsLength = readU16(bytes, 36);
  const viaEnd = FORWARDING_HEADER_FIXED_SIZE + viaListLength;
  const headerLength = viaEnd + destinationListLength;
  if (optionsLength !== 0 || headerLength > n) return undefined;
  const viaList = readDestinations(bytes, FORWARDING_HEADER_FIXED_SIZE, viaEnd, false);
  if (!viaList) return undefined;
  const destinationList = readDestinations(bytes, viaEnd, headerLength, true);
  if (!destinationList) return undefined;
  U64_BYTES.set(bytes.subarray(20, 28));
  const header: ForwardingHeader = {
    overlay: readU32(bytes, 4),
    configurationSequence: readU16(bytes, 8),
    version: bytes[10]!,
    ttl: bytes[11]!,
    fragment,
    length,
    transactionId: U64_VIEW.getBigUint64(0),
    maxResponseLength: readU32(bytes, 28),
    viaList,
    destinationList,
    options: NO_OPTIONS,
  };
  return { header, headerLength };
}

/**
 * Node-ID destinations, and (only last in a destination list, §6.3.2.2) one Resource-ID, filling
 * bytes [at, end) exactly; undefined for anything else.
 */
function readDestinations(bytes: Uint8Array, at: number, end: number, resourceLast: boolean): readonly Destination[] | undefined {
  if (at === end) return NO_DESTINATIONS;
  const out: Destination[] = [];
  while (at < end) {
    if (end - at < 2) return undefined;
    const type = bytes[at]!;
    const length = bytes[at + 1]!;
    const data = at + 2;
    const next = data + length;
    if (next > end) return undefined;
    if (type === DestinationType.node && length === NODE_ID_LENGTH) {
      out.push({ kind: 'node', nodeId: bytes.subarray(data, next) });
    } else if (type === DestinationType.resource && resourceLast && next === end && length >= 1 && bytes[data] === length - 1) {
      // rfc6940-readings #2: the ResourceId keeps its own one-byte length inside destination_data.
      out.push({ kind: 'resource', resourceId: bytes.subarray(data + 1, next) });
    } else {
      return undefined;
    }
    at = next;
  }
  return out;
}

