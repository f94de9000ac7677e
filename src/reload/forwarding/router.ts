/**
 * The question forwarding asks the topology: "next hop?" (RFC 6940 §6.1.2, §6.2.1). The topology
 * plug-in (Chord, §10.3) implements Router and is injected at start-up (`Forwarding.setRouter`),
 * so forwarding imports no topology code (ARCHITECTURE.md).
 */
import { NODE_ID_LENGTH, type NodeId, type ResourceId } from '../wire/ids.js';

/** What a destination-list entry asks to reach: a node or a resource (§6.3.2.2). */
export type RoutingTarget =
  | { readonly kind: 'node'; readonly nodeId: NodeId }
  | { readonly kind: 'resource'; readonly resourceId: ResourceId };

export interface Router {
  /**
   * RFC 6940 §6.1: is this peer responsible for `target`? Forwarding asks only about Resource-IDs
   * and about Node-IDs other than our own and the wildcard (it handles those itself); for a
   * Node-ID, "responsible" means the id falls in the part of the ring this peer covers
   * (Chord: (predecessor, self]), in which case a message for an unconnected node is dropped (§6.1.1).
   */
  isResponsible(target: RoutingTarget): boolean;
  /**
   * RFC 6940 §6.1.2: "select one of the peers to which it is connected and which is most likely to
   * be responsible (according to the Topology Plug-in) for the first entry on the Destination List".
   * Returns the Node-ID of a neighbour in the link table, never one whose `nodeIdKey` is in
   * `exclude` (neighbours whose links are down or already failed for this message: route-around),
   * or undefined when there is none.
   */
  nextHop(target: RoutingTarget, exclude: ReadonlySet<string>): NodeId | undefined;
}

/** RFC 6940 §6.1.1: the wildcard Node-ID is "all 1s"; a peer is always responsible for it. */
export const WILDCARD_NODE_ID: NodeId = new Uint8Array(NODE_ID_LENGTH).fill(0xff);

/** Char codes of the two lowercase hex digits of each byte value. */
const HEX_CODES = new Uint16Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0');
  HEX_CODES[2 * i] = h.charCodeAt(0);
  HEX_CODES[2 * i + 1] = h.charCodeAt(1);
}
const codes: number[] = [];

/**
 * A Node-ID as a map key (lowercase hex, as `toHex`; it is on every hop's path, so kept fast).
 * Built in one piece: a string grown by `+=` is a rope of one cell per byte, and these keys are
 * held by every table (link table, routing table, answer cache) of every peer.
 */
export function nodeIdKey(id: NodeId): string {
  const n = id.length;
  // The same Node-ID is often asked for several times in a row (routing one message looks its
  // next hop up in a few tables): remember the last key and the bytes it was made from.
  if (n === NODE_ID_LENGTH && sameAsLast(id)) return lastKey;
  const key = buildKey(id, n);
  if (n === NODE_ID_LENGTH) {
    lastBytes.set(id);
    lastKey = key;
  }
  return key;
}

const lastBytes = new Uint8Array(NODE_ID_LENGTH);
/** The key of `lastBytes`; '' (no key is empty at this length) until the first call. */
let lastKey = '';

function sameAsLast(id: NodeId): boolean {
  if (lastKey === '') return false;
  for (let i = 0; i < NODE_ID_LENGTH; i++) if (id[i] !== lastBytes[i]) return false;
  return true;
}

function buildKey(id: NodeId, n: number): string {
  if (n > 1024) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(HEX_CODES[2 * id[i]!]!, HEX_CODES[2 * id[i]! + 1]!);
    return s;
  }
  codes.length = 2 * n;
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const b = id[i]!;
    codes[j] = HEX_CODES[2 * b]!;
    codes[j + 1] = HEX_CODES[2 * b + 1]!;
  }
  return String.fromCharCode.apply(null, codes);
}

export function isWildcardNodeId(id: NodeId): boolean {
  return id.length === NODE_ID_LENGTH && id.every((b) => b === 0xff);
}

/** The router in place until the topology plug-in is started: responsible for nothing, no next hop. */
export const nullRouter: Router = {
  isResponsible: () => false,
  nextHop: () => undefined,
};
