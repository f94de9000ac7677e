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
 * held by every table (link table, routing table, answer cache) of every peer. Keys of Node-IDs
 * seen recently come from a cache (KeyCache), so the same Node-ID asked for again costs no new
 * string, and the tables of all the peers of a simulator share one string per Node-ID.
 */
export function nodeIdKey(id: NodeId): string {
  const n = id.length;
  if (n !== NODE_ID_LENGTH) return buildKey(id, n);
  return keyCache.key(id);
}

/**
 * A direct-mapped cache of Node-ID keys: the slot of a Node-ID is picked by its first two bytes
 * (Node-IDs are hashes or random, RFC 6940 §10.2), a hit is checked against all its bytes, and a
 * miss replaces what the slot held. It starts small (a browser peer meets few Node-IDs) and
 * doubles, up to MAX_SLOTS, while misses keep evicting other keys (a simulator's thousands).
 */
class KeyCache {
  private slots = 256;
  /** 16 − log2(slots): the slot is the top bits of the first two bytes. */
  private shift = 8;
  private bytes = new Uint8Array(this.slots * NODE_ID_LENGTH);
  private keys: (string | undefined)[] = new Array<string | undefined>(this.slots).fill(undefined);
  private evictions = 0;

  key(id: NodeId): string {
    // The high bits of the first two bytes: Node-IDs spread evenly round the ring (a static ring's)
    // differ there, where their low bits may all be the same.
    const slot = ((id[0]! << 8) | id[1]!) >>> this.shift;
    const known = this.keys[slot];
    const at = slot * NODE_ID_LENGTH;
    if (known !== undefined) {
      let same = true;
      for (let i = 0; i < NODE_ID_LENGTH; i++) {
        if (this.bytes[at + i] !== id[i]) {
          same = false;
          break;
        }
      }
      if (same) return known;
      if (++this.evictions > 4 * this.slots && this.slots < MAX_SLOTS) {
        this.grow();
        return this.key(id);
      }
    }
    const key = buildKey(id, NODE_ID_LENGTH);
    this.keys[slot] = key;
    this.bytes.set(id, at);
    return key;
  }

  /** Twice the slots; the keys held are let go (they come back as they are asked for). */
  private grow(): void {
    this.slots *= 2;
    this.shift -= 1;
    this.bytes = new Uint8Array(this.slots * NODE_ID_LENGTH);
    this.keys = new Array<string | undefined>(this.slots).fill(undefined);
    this.evictions = 0;
  }
}

/** 65,536 slots: 1 MiB of Node-IDs, enough for a simulated overlay of tens of thousands of peers. */
const MAX_SLOTS = 1 << 16;
const keyCache = new KeyCache();

function buildKey(id: Uint8Array, n: number): string {
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
