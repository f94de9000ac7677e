/**
 * CHORD-RELOAD ring arithmetic (RFC 6940 §10.1: "all arithmetic being done modulo 2^{k}, where k
 * is the length of the Node-ID in bits"; k = 128, §10.2). Ids are 16-byte Node-IDs and
 * Resource-IDs; their ring positions are bigints in [0, 2^128). The one place of the stack that
 * does this arithmetic (the simulator imports it too).
 */
import type { NodeId } from '../../wire/ids.js';

export const RING_BITS = 128n;
export const RING_SIZE = 1n << RING_BITS;
const MASK = RING_SIZE - 1n;

/** Bytes of a ring id (§10.2: 128 bits). */
export const RING_ID_LENGTH = 16;

/** The 16 bytes `ringPosition` reads (an id copied in, zero-padded), and its view: no DataView per call. */
const POSITION_BYTES = new Uint8Array(RING_ID_LENGTH);
const POSITION_VIEW = new DataView(POSITION_BYTES.buffer);

/**
 * The id's position on the ring: its first 16 bytes, big-endian (shorter ids are zero-padded on
 * the right, as a truncated hash would be). Read as two uint64s: four bigints made per position, not
 * ten (it is asked for the ids of every Update a peer receives).
 */
export function ringPosition(id: Uint8Array): bigint {
  for (let i = 0; i < RING_ID_LENGTH; i++) POSITION_BYTES[i] = id[i] ?? 0;
  return (POSITION_VIEW.getBigUint64(0) << 64n) | POSITION_VIEW.getBigUint64(8);
}

/** A 16-byte id at ring position `v` (taken modulo 2^128). */
export function idAt(v: bigint): NodeId {
  const out = new Uint8Array(RING_ID_LENGTH);
  let x = v & MASK;
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** `a + d` modulo 2^128. */
export function ringAdd(a: bigint, d: bigint): bigint {
  return (a + d) & MASK;
}

/** Clockwise distance from `a` to `b`, in [0, 2^128). */
export function clockwise(a: bigint, b: bigint): bigint {
  return (b - a) & MASK;
}

/** Whether `x` lies in the half-open interval `(a, b]` going clockwise; `(a, a]` is the whole ring. */
export function inHalfOpen(x: bigint, a: bigint, b: bigint): boolean {
  if (a === b) return true;
  const d = clockwise(a, x);
  return d !== 0n && d <= clockwise(a, b);
}

/** Whether `x` lies strictly between `a` and `b` going clockwise; `(a, a)` is the ring without `a`. */
export function inOpen(x: bigint, a: bigint, b: bigint): boolean {
  const d = clockwise(a, x);
  if (d === 0n) return false;
  return a === b ? true : d < clockwise(a, b);
}

/** Bit length of a non-negative bigint below 2^128 (0 for 0). */
export function bitLength(v: bigint): number {
  let n = 0;
  let x = v;
  if (x >> 64n) {
    n += 64;
    x >>= 64n;
  }
  if (x >> 32n) {
    n += 32;
    x >>= 32n;
  }
  return n + (x === 0n ? 0 : Math.floor(Math.log2(Number(x))) + 1);
}

/**
 * RFC 6940 §10.7.4.2: "For peer x, the i'th Finger Table entry is valid if it is in the range
 * [ x+2^( 128-i ), x+2^( 128-(i-1) )-1 ]": the finger index (1..128) a peer at clockwise distance
 * `distance` (> 0) from x falls in. finger[1] is halfway round (§10, "finger[0] as the peer 180
 * degrees around" in 0-based words; §10.5 counts from i = 1).
 */
export function fingerIndex(distance: bigint): number {
  if (distance <= 0n) throw new RangeError('a finger is at a positive distance');
  return 129 - bitLength(distance);
}

/** The first clockwise distance of finger range `i` (1..128): 2^(128-i). */
export function fingerRangeStart(i: number): bigint {
  if (!Number.isInteger(i) || i < 1 || i > 128) throw new RangeError(`finger index ${i} is not in 1..128`);
  return 1n << BigInt(128 - i);
}

/**
 * A random position in finger range `i` of `self` (§10.7.4.2: "the peer SHOULD send the Ping to a
 * Node-ID selected randomly from that range"). `bytes(n)` gives n random bytes.
 */
export function randomInFingerRange(self: bigint, i: number, bytes: (n: number) => Uint8Array): bigint {
  const start = fingerRangeStart(i);
  // The range holds `start` ids: [start, 2·start). A random offset below `start`.
  const offset = ringPosition(bytes(RING_ID_LENGTH)) & (start - 1n);
  return ringAdd(self, start + offset);
}

/** Whether two ids are the same position. */
export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The id one past `id` on the ring (§10.5: JN attaches to "Resource-ID n+1"). */
export function nextId(id: Uint8Array): NodeId {
  return idAt(ringPosition(id) + 1n);
}

/**
 * The fraction of the ring in `(after, upTo]`, in parts per billion (§6.4.2.5.2 responsible_ppb);
 * `after === upTo` is the whole ring.
 */
export function ringShareInPpb(after: bigint, upTo: bigint): number {
  const span = after === upTo ? RING_SIZE : clockwise(after, upTo);
  return Number((span * 1_000_000_000n) / RING_SIZE);
}
