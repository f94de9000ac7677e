/**
 * The world a RELOAD peer runs in, injected (ARCHITECTURE.md; style.md §4). Code under `reload/`
 * and `usages/` never calls Date.now, setTimeout, Math.random or crypto.subtle itself: the
 * browser, the Node peer and the simulator each build these once, in their composition root.
 * Every stateful class takes `(deps, init)` where `deps` picks only what it uses from here.
 */

/** A cancellable one-shot timer. */
export interface Timer {
  cancel(): void;
}

/** Time. `now()` is milliseconds on a monotonic scale (virtual in the simulator). */
export interface Clock {
  now(): number;
  /** Call `fn` once after `ms` milliseconds (of this clock's time). */
  setTimer(ms: number, fn: () => void): Timer;
}

/** Work a PostingClock runs at its time (an object with a method: no closure per call). */
export interface ClockTask {
  run(): void;
}

/**
 * A Clock that can also run a task with no Timer handed out (no entry object and no closure per
 * call), for work nobody cancels: the simulator's clock is one, and a memory network posts each
 * frame's delivery this way (links/memory/memory-network.ts).
 */
export interface PostingClock extends Clock {
  /** Run `task.run()` once after `ms` milliseconds, in the same order as timers set with `setTimer`. */
  post(ms: number, task: ClockTask): void;
}

/** Randomness: cryptographically strong in production, seeded in the simulator. */
export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A float in [0, 1). */
  float(): number;
}

/** A random 64-bit unsigned integer from `random` (a transaction_id or response_id, RFC 6940 §6.3.2, §6.5.3). */
export function randomU64(random: Pick<Random, 'bytes'>): bigint {
  let v = 0n;
  for (const b of random.bytes(8)) v = (v << 8n) | BigInt(b);
  return v;
}

/** Hash functions the protocol names (SHA-1 for chord-reload ids, §10.2; SHA-256 for signatures). */
export interface Hasher {
  sha1(data: Uint8Array): Promise<Uint8Array>;
  sha256(data: Uint8Array): Promise<Uint8Array>;
}

/** Structured logging; named after the folder (`reload:topology:chord`). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** False when `debug` writes nothing (a log kept at a higher level); default: it writes. */
  readonly debugEnabled?: boolean;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * Whether `log` keeps debug entries: code that logs every message (each hop, each request) builds
 * those entries only then, never on the simulator's hot path (no logger: silentLogger).
 */
export function logsDebug(log: Logger): boolean {
  return log !== silentLogger && log.debugEnabled !== false;
}

/**
 * A log entry's fields as one line of JSON for a text log (`chordphone serve --log`, a tab's
 * console): bigints (transaction ids) as decimal strings; fields JSON cannot write (a cycle) as
 * String() does.
 */
export function logFieldsJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(fields);
  }
}

/** A log entry as text: the message, then its fields as JSON (logFieldsJson) when it has any. */
export function logEntryText(message: string, fields?: Record<string, unknown>): string {
  return fields && Object.keys(fields).length > 0 ? `${message} ${logFieldsJson(fields)}` : message;
}

/** Like libp2p's AbortOptions: every async operation takes a final options bag with a signal. */
export interface AbortOptions {
  readonly signal?: AbortSignal;
}

/** Thrown when an operation is aborted through its signal. */
export class AbortError extends Error {
  override readonly name: string = 'AbortError';
  constructor(message = 'the operation was aborted') {
    super(message);
  }
}

/** Resolves after `ms` of `clock` or when `arm`'s callback is called, whichever is first. */
export function waitFor(clock: Pick<Clock, 'setTimer'>, ms: number, arm: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = clock.setTimer(ms, resolve);
    arm(() => {
      t.cancel();
      resolve();
    });
  });
}

/** `work`'s outcome, or a rejection with `timeoutError()` if it has none within `ms` on `clock`. */
export function withTimeout<T>(clock: Clock, work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(ms, () => reject(timeoutError()));
    work.then(
      (v) => {
        timer.cancel();
        resolve(v);
      },
      (e: unknown) => {
        timer.cancel();
        reject(e);
      },
    );
  });
}
