/**
 * Tests of what holds a byte slab (codec/byte-slab.ts): whether something kept by `act` is a view
 * of a slab that small arrays were carved from while it ran, so that the whole slab (4 KB of other
 * messages' bytes) stays alive as long as that is kept. Forces a full garbage collection (V8's
 * `gc`, exposed here).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { allocateBytes, MAX_SLAB_PIECE, watchSlabs } from '../codec/byte-slab.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Carves dropped pieces until a new slab is made (`slabs` grows), so what follows starts on it. */
function moveToNewSlab(slabs: readonly unknown[]): void {
  const before = slabs.length;
  while (slabs.length === before) allocateBytes(MAX_SLAB_PIECE);
}

/**
 * Whether any slab that small arrays were carved from during `act` is still alive after `act`,
 * once later arrays went to another slab and the collector ran: true when anything `act` left
 * behind (reachable from the test) holds a view of one of them. `act` starts on a new slab; each
 * slab made while it runs is watched (weakly), however many it fills.
 */
export async function slabKeptBy(act: () => unknown): Promise<boolean> {
  const slabs: WeakRef<ArrayBuffer>[] = [];
  watchSlabs((made) => slabs.push(new WeakRef(made)));
  try {
    moveToNewSlab(slabs);
    await act();
    moveToNewSlab(slabs);
  } finally {
    watchSlabs(undefined);
  }
  // The last slab is the one made after `act`, which the allocator itself still holds.
  const used = slabs.slice(0, -1);
  // A WeakRef's target lives at least until the end of the job that made it.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  return used.some((slab) => slab.deref() !== undefined);
}
