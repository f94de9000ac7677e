import type { Reader } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';
import { compareBytes, toHex } from './codec/hex.js';
import { NODE_ID_LENGTH, readNodeId, readResourceId, writeNodeId, writeResourceId, type NodeId, type ResourceId } from './ids.js';

/** RFC 6940 §6.3.2.2 DestinationType. Values 128-255 are not allowed: a first byte with the high bit set is a compressed id. */
export const DestinationType = {
  invalidDestinationType: 0,
  node: 1,
  resource: 2,
  opaque_id_type: 3,
} as const;

/** RFC 6940 §6.3.2.2: the high bit of the first byte marks the 16-bit compressed form. */
export const COMPRESSED_DESTINATION_BIT = 0x8000;

/**
 * RFC 6940 §6.3.2.2 Destination (one entry of a via_list or destination_list).
 *
 * - `node`: `01 10` + the 16-byte Node-ID.
 * - `resource`: `02 LL` + the ResourceId *with its own one-byte length*, so `LL` = 1 + id length
 *   (rfc6940-readings #2: a 16-byte Resource-ID is `02 11 10` + 16 bytes). The RFC allows it only
 *   as the last entry of a destination_list, never in a via_list (checked by the forwarding header).
 * - `opaque`: type `opaque_id_type` (3) in the long TLV form; its DestinationData is
 *   `opaque opaque_id<0..2^8-1>`, so like a resource it carries its own one-byte length.
 * - `compressed`: the 16-bit form, first bit 1; `id` is the whole uint16 (0x8000..0xFFFF).
 *   §6.3.2.2 says to treat it as an opaque_id_type with a 2-byte opaque_id, but it is kept apart
 *   so that it re-encodes byte for byte (see `destinationOpaqueId`).
 * - `unknown`: a type this code does not know (4..127), kept opaque so it can be skipped and
 *   forwarded ("This structure may be extended with new types").
 */
export type Destination =
  | { readonly kind: 'node'; readonly nodeId: NodeId }
  | { readonly kind: 'resource'; readonly resourceId: ResourceId }
  | { readonly kind: 'opaque'; readonly opaqueId: Uint8Array }
  | { readonly kind: 'compressed'; readonly id: number }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

/**
 * The opaque id of an opaque or compressed destination: RFC 6940 §6.3.2.2 says a 16-bit
 * destination "MUST be treated as if it were a full structure with a DestinationType of
 * opaque_id_type and an opaque_id that was 2 bytes long with the value of the 16-bit integer".
 */
export function destinationOpaqueId(d: Destination): Uint8Array | undefined {
  if (d.kind === 'opaque') return d.opaqueId;
  if (d.kind === 'compressed') return Uint8Array.of(d.id >>> 8, d.id & 0xff);
  return undefined;
}

/** Encoded size of one destination in bytes. */
export function destinationSize(d: Destination): number {
  switch (d.kind) {
    case 'compressed':
      return 2;
    case 'node':
      return 2 + NODE_ID_LENGTH;
    case 'resource':
      return 3 + d.resourceId.length;
    case 'opaque':
      return 3 + d.opaqueId.length;
    case 'unknown':
      return 2 + d.data.length;
  }
}

/**
 * Encoded size of a via_list or destination_list (the value of its `*_length` field).
 * Indexed, not for-of: the lists are often frozen (NO_DESTINATIONS), and V8 does not inline the
 * iterator over a frozen array, so a for-of here made an iterator result per destination and
 * per call, on every message encoded.
 */
export function destinationListSize(list: readonly Destination[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) n += destinationSize(list[i]!);
  return n;
}

export function readDestination(r: Reader): Destination {
  return r.scope('Destination', () => {
    const at = r.offset;
    const first = r.u8('type');
    if (first & 0x80) {
      // RFC 6940 §6.3.2.2: "If the destination structure is a 16-bit integer, then the first bit MUST be set to 1".
      const low = r.u8('opaqueId');
      return { kind: 'compressed', id: (first << 8) | low } as const;
    }
    if (first === DestinationType.invalidDestinationType) r.fail('type', 'destination type 0 (invalidDestinationType)', at);
    // RFC 6940 §6.3.2.2: `length` is "the length of the destination_data".
    const length = r.length('length', 1);
    return r.sub('destinationData', length, (s): Destination => {
      switch (first) {
        case DestinationType.node:
          if (length !== NODE_ID_LENGTH) s.fail('', `a node destination holds a ${NODE_ID_LENGTH}-byte Node-ID, not ${length} bytes`);
          return { kind: 'node', nodeId: readNodeId(s, 'nodeId') };
        case DestinationType.resource:
          // rfc6940-readings #2: the ResourceId keeps its own one-byte length inside destination_data.
          return { kind: 'resource', resourceId: readResourceId(s, 'resourceId') };
        case DestinationType.opaque_id_type:
          return { kind: 'opaque', opaqueId: s.opaque('opaqueId', 1) };
        default:
          return { kind: 'unknown', type: first, data: s.rest('data') };
      }
    });
  });
}

export function writeDestination(w: Writer, d: Destination): void {
  switch (d.kind) {
    case 'compressed':
      if (!Number.isInteger(d.id) || d.id < COMPRESSED_DESTINATION_BIT || d.id > 0xffff) {
        throw new EncodeError('Destination.opaqueId', `a compressed destination is 0x8000..0xFFFF (top bit 1), got ${d.id}`);
      }
      w.u16(d.id, 'Destination.opaqueId');
      return;
    case 'node':
      w.u8(DestinationType.node).u8(NODE_ID_LENGTH);
      writeNodeId(w, d.nodeId, 'Destination.nodeId');
      return;
    case 'resource':
      // The one-byte destination length must also cover the ResourceId's own length byte: at most 254 bytes of id.
      if (d.resourceId.length > 254) throw new EncodeError('Destination.resourceId', `at most 254 bytes fit in a destination, got ${d.resourceId.length}`);
      w.u8(DestinationType.resource).u8(1 + d.resourceId.length);
      writeResourceId(w, d.resourceId, 'Destination.resourceId');
      return;
    case 'opaque':
      if (d.opaqueId.length > 254) throw new EncodeError('Destination.opaqueId', `at most 254 bytes fit in a destination, got ${d.opaqueId.length}`);
      w.u8(DestinationType.opaque_id_type).u8(1 + d.opaqueId.length).opaque(1, d.opaqueId, 'Destination.opaqueId');
      return;
    case 'unknown':
      if (!Number.isInteger(d.type) || d.type < 4 || d.type > 0x7f) {
        throw new EncodeError('Destination.type', `an unknown destination type is 4..127, got ${d.type}`);
      }
      w.u8(d.type, 'Destination.type').opaque(1, d.data, 'Destination.data');
      return;
  }
}

/**
 * A via_list or destination_list (RFC 6940 §6.3.2): destinations filling exactly `length`
 * bytes, where `length` came from the header's `via_list_length` / `destination_list_length`.
 */
export function readDestinationList(r: Reader, field: string, length: number): Destination[] {
  return r.sub(field, length, (s) => {
    const out: Destination[] = [];
    while (s.remaining() > 0) out.push(s.tracing ? s.scope(`[${out.length}]`, () => readDestination(s)) : readDestination(s));
    return out;
  });
}

/** Write the destinations back to back (the list's byte length goes in the header, see `destinationListSize`). */
export function writeDestinationList(w: Writer, list: readonly Destination[]): void {
  // Indexed, not for-of (see destinationListSize).
  for (let i = 0; i < list.length; i++) writeDestination(w, list[i]!);
}

/** An order of destinations: zero exactly when two entries name the same destination (§6.3.2.2). */
export function compareDestinations(a: Destination, b: Destination): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  // From here on `b` is of `a`'s kind.
  switch (a.kind) {
    case 'node':
      return compareBytes(a.nodeId, (b as typeof a).nodeId);
    case 'resource':
      return compareBytes(a.resourceId, (b as typeof a).resourceId);
    case 'opaque':
      return compareBytes(a.opaqueId, (b as typeof a).opaqueId);
    case 'compressed':
      return a.id - (b as typeof a).id;
    case 'unknown':
      return a.type - (b as typeof a).type || compareBytes(a.data, (b as typeof a).data);
  }
}

/** A string naming a destination: two are equal exactly when compareDestinations gives zero. */
export function destinationKey(d: Destination): string {
  switch (d.kind) {
    case 'node':
      return `n${toHex(d.nodeId)}`;
    case 'resource':
      return `r${toHex(d.resourceId)}`;
    case 'opaque':
      return `o${toHex(d.opaqueId)}`;
    case 'compressed':
      return `c${d.id}`;
    case 'unknown':
      return `u${d.type}:${toHex(d.data)}`;
  }
}

/** Lists up to this long are checked pairwise (no sorted copy made): an answer's list is its path back. */
const PAIRWISE_MAX = 16;

/** Whether two entries of `list` name the same destination (compareDestinations). */
export function hasDuplicateDestination(list: readonly Destination[]): boolean {
  const n = list.length;
  if (n < 2) return false;
  if (n <= PAIRWISE_MAX) {
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (compareDestinations(list[i]!, list[j]!) === 0) return true;
    return false;
  }
  // A long (perhaps hostile) list costs n·log n, not n².
  const sorted = [...list].sort(compareDestinations);
  for (let i = 1; i < n; i++) if (compareDestinations(sorted[i - 1]!, sorted[i]!) === 0) return true;
  return false;
}
