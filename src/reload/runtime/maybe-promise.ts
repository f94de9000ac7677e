/**
 * A value now, or a promise of it later. The steps on every message's path (signing, verifying,
 * a handler's answer, RFC 6940 §6.3.4, §6.2) are usually at hand at once (a handler that does no
 * I/O, a signer or verifier that answers without waiting), and sometimes not (WebCrypto always
 * waits). Awaiting a value that is already there still costs a promise, a job and an async frame
 * per step, several steps per message at every destination: with MaybePromise the code goes on
 * at once when the value is there and waits only on a real promise. One code path either way.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is still to come (a promise, or any thenable) rather than at hand. */
export function isPending<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Run `step`, then `last` whatever it came to (a value, a throw, a rejection): `try { return await
 * step() } finally { last() }`, with no wait when `step` gives a value or throws.
 */
export function always<T>(step: () => MaybePromise<T>, last: () => void): MaybePromise<T> {
  let value: MaybePromise<T>;
  try {
    value = step();
  } catch (e) {
    last();
    throw e;
  }
  if (!isPending(value)) {
    last();
    return value;
  }
  return value.then(
    (v) => {
      last();
      return v;
    },
    (e: unknown) => {
      last();
      throw e;
    },
  );
}
