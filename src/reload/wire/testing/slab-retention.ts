/**
 * Tests of what holds a byte slab (codec/byte-slab.ts): whether something kept by `act` is a view
 * of the slab current when it ran, so that the whole slab (4 KB of other messages' bytes) stays
 * alive as long as that is kept. Forces a full garbage collection (V8's `gc`, exposed here).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { allocateBytes } from '../codec/byte-slab.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Enough slab pieces to fill a whole slab: what follows them is in a slab of its own. */
function fillSlab(): void {
  for (let i = 0; i < 5; i++) allocateBytes(1024);
}

/**
 * Whether the slab that small arrays encoded during `act` are carved from is still alive after
 * `act`, once later arrays went to another slab and the collector ran: true when anything `act`
 * left behind (reachable from the test) holds a view of it.
 */
export async function slabKeptBy(act: () => unknown): Promise<boolean> {
  fillSlab();
  const slab = new WeakRef(allocateBytes(1).buffer);
  await act();
  fillSlab();
  // A WeakRef's target lives at least until the end of the job that made it.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  return slab.deref() !== undefined;
}
