/**
 * A value now, or a promise of it later. The steps on every message's path (signing, verifying,
 * a handler's answer, RFC 6940 §6.3.4, §6.2) are usually at hand at once (a handler that does no
 * I/O, a signer or verifier that answers without waiting), and sometimes not (WebCrypto always
 * waits). Awaiting a value that is already there still costs a promise, a job and an async frame
 * per step, several steps per message at every destination: with MaybePromise the code goes on
 * at once when the value is there and waits only on a real promise. One code path either way.
 *
 * The helpers take the steps as methods of `self` with one argument `arg` (the thing being worked
 * on), not as closures: a closure made per call costs an allocation per message even when every
 * value is at hand, which is the case these helpers are for.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is still to come (a promise, or any thenable) rather than at hand. */
export function isPending<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * `self.step(arg)`, then `self.onValue(arg, value)` with its value, or `self.onError(arg, e)` when
 * it throws or rejects: at once when the step gives its value or throws, else once its promise
 * settles. What `onValue` throws is not given to `onError` (as `promise.then(onValue, onError)`).
 */
export function proceed<S, A, T, R>(self: S, arg: A, step: (this: S, arg: A) => MaybePromise<T>, onValue: (this: S, arg: A, value: T) => MaybePromise<R>, onError: (this: S, arg: A, e: unknown) => MaybePromise<R>): MaybePromise<R> {
  let value: MaybePromise<T>;
  try {
    value = step.call(self, arg);
  } catch (e) {
    return onError.call(self, arg, e);
  }
  if (!isPending(value)) return onValue.call(self, arg, value);
  return value.then(
    (v) => onValue.call(self, arg, v),
    (e: unknown) => onError.call(self, arg, e),
  );
}

/**
 * `self.step(arg)`, then `self.last(arg)` whatever it came to (a value, a throw, a rejection):
 * `try { return await step(arg) } finally { last(arg) }`, with no wait when the step gives a value
 * or throws.
 */
export function always<S, A, T>(self: S, arg: A, step: (this: S, arg: A) => MaybePromise<T>, last: (this: S, arg: A) => void): MaybePromise<T> {
  let value: MaybePromise<T>;
  try {
    value = step.call(self, arg);
  } catch (e) {
    last.call(self, arg);
    throw e;
  }
  if (!isPending(value)) {
    last.call(self, arg);
    return value;
  }
  return value.then(
    (v) => {
      last.call(self, arg);
      return v;
    },
    (e: unknown) => {
      last.call(self, arg);
      throw e;
    },
  );
}
