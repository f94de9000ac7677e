/**
 * For simulator tests: the ReloadError a request run on the virtual clock rejects with.
 */
import { expect } from 'vitest';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import type { VirtualClock } from '../virtual-clock.js';

/** The error `p` rejects with, run on `o.clock` (fails the test if it resolves or rejects with something else). */
export async function rejection(o: { readonly clock: VirtualClock }, p: Promise<unknown>): Promise<ReloadError> {
  const e = await o.clock.run(p).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ReloadError);
  return e as ReloadError;
}
