/**
 * Exact-size byte arrays for encoded messages and frames, carved from shared slabs. Every message
 * a node sends is encoded into a new array (Writer.finish's copy, the frame around it, a relayed
 * message's new header); a `new Uint8Array(n)` larger than a few dozen bytes gets a buffer of its
 * own outside the JavaScript heap (allocated, zeroed, tracked and freed by the collector one by
 * one), which cost the simulator ~8 % of its CPU. A view of a slab costs only the view object.
 *
 * The trade: a view keeps its whole slab alive while anything holds it (a retained message, or a
 * value decoded in place from a received frame). Slabs are small (SLAB_SIZE) so that the memory
 * held that way stays close to the messages held; larger arrays get a buffer of their own. The
 * arrays are views (`byteOffset` may be non-zero, `buffer` holds other messages' bytes), as the
 * wire code's received messages already are; nothing transfers or exposes their `buffer`, and
 * what is kept for long or written out (an IndexedDB put clones a view's whole buffer) is first
 * made `exactBytes`, or encoded into bytes of its own (`Writer.finishOwn`).
 */

/** Bytes of one slab: a few messages' worth (RFC 6940 messages of the overlay are a few hundred bytes). */
const SLAB_SIZE = 4096;
/** Larger arrays get a buffer of their own (a slab's tail is never wasted on more than this). */
export const MAX_SLAB_PIECE = SLAB_SIZE / 4;

let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;
/** Told of each slab made (watchSlabs): tests only. */
let slabWatcher: ((made: ArrayBuffer) => void) | undefined;

/**
 * For tests of what holds a slab (wire/testing/slab-retention.ts): `watcher` is told of each slab
 * made from now on, until the next call (`undefined` stops watching).
 */
export function watchSlabs(watcher: ((made: ArrayBuffer) => void) | undefined): void {
  slabWatcher = watcher;
}

/** A zeroed array of `n` bytes: a view of a shared slab when small (see the file comment). */
export function allocateBytes(n: number): Uint8Array {
  // An empty view would still hold its whole slab.
  if (n === 0 || n > MAX_SLAB_PIECE) return new Uint8Array(n);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
    slabWatcher?.(slab);
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed += n;
  return out;
}

/**
 * `b` itself when it is its whole buffer, else a copy that is: what a holder keeps for long, or
 * hands to anything that takes the whole buffer (a structured clone, an IndexedDB put, a transfer),
 * so it neither keeps a slab alive nor carries other messages' bytes along (see the file comment).
 */
export function exactBytes(b: Uint8Array): Uint8Array {
  // `new Uint8Array(b)` copies into a buffer of its own, where `b.slice()` would not be certain to:
  // a Node Buffer's `slice` returns a view of the same memory.
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}
