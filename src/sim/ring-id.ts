/** 128-bit ring positions of Node-IDs and Resource-IDs (chord-reload, RFC 6940 §10.2) as bigints, for the simulator. */
import type { NodeId } from '../reload/wire/ids.js';

export const RING_BITS = 128n;
export const RING_SIZE = 1n << RING_BITS;

/** The id's position on the ring: its first 16 bytes, big-endian (shorter ids are zero-padded on the right). */
export function ringPosition(id: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(id[i] ?? 0);
  return v;
}

/** Clockwise distance from a to b. */
export function clockwise(a: bigint, b: bigint): bigint {
  return (((b - a) % RING_SIZE) + RING_SIZE) % RING_SIZE;
}

/** A 16-byte id at ring position `v`. */
export function idAt(v: bigint): NodeId {
  const out = new Uint8Array(16);
  let x = ((v % RING_SIZE) + RING_SIZE) % RING_SIZE;
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
