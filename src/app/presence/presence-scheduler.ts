/**
 * Contact presence without a lookup storm (issue 7): a contact is online when its
 * SIP-REGISTRATION resolves (RFC 7904 §4.2, `lookupAor`). Every lookup is a Fetch routed across the
 * overlay, so this scheduler bounds them:
 * - at most `maxInFlight` lookups at once, started at least `minIntervalMs` apart; the rest wait
 *   their turn, earliest due first (a list of 200 contacts costs 4 Fetches a second, not 200 at once);
 * - each contact is looked up again every `refreshMs` (± `jitter`, so contacts added together
 *   drift apart instead of firing in step);
 * - a contact found offline (or whose lookup failed) waits longer each time, doubling up to
 *   `maxBackoffMs`; found online, it is back to `refreshMs`;
 * - `refresh(aor)` puts a contact at the head of the queue, exempt from the spacing (the UI opened
 *   it, a call just failed).
 * Time and randomness are injected (style.md §4), so tests drive it on a fake clock.
 */

/** The slice of the runtime Clock this needs (src/reload/runtime/components.ts `Clock`). */
export interface PresenceClock {
  now(): number;
  setTimer(ms: number, fn: () => void): { cancel(): void };
}

export interface PresenceDeps {
  readonly clock: PresenceClock;
  readonly random: { float(): number };
  /** True when the AoR has a registration (online), false when none; rejects when it cannot tell. */
  readonly lookup: (aor: string, options: { signal: AbortSignal }) => Promise<boolean>;
}

export interface PresenceInit {
  /** Lookups in flight at most; default 2. */
  readonly maxInFlight?: number;
  /** Least time between two lookup starts, ms; default 250 (refresh(aor) is exempt). */
  readonly minIntervalMs?: number;
  /** Refresh period of an online contact, ms; default 60 s. */
  readonly refreshMs?: number;
  /** Relative jitter on every delay, in [0, 1); default 0.2 (±20 %). */
  readonly jitter?: number;
  /** Longest wait between lookups of an offline contact, ms; default 10 min. */
  readonly maxBackoffMs?: number;
  /** A lookup taking longer than this is abandoned (and counts as failed), ms; default 15 s. */
  readonly timeoutMs?: number;
}

export type PresenceState = 'unknown' | 'online' | 'offline';

export interface PresenceEntry {
  readonly aor: string;
  readonly state: PresenceState;
  /** A lookup is running now. */
  readonly checking: boolean;
  /** When the last lookup finished (clock ms); undefined before the first. */
  readonly checkedAt: number | undefined;
  /** The last lookup failed (network trouble), so `state` is the one known before. */
  readonly failed: boolean;
}

interface Tracked {
  state: PresenceState;
  checkedAt: number | undefined;
  failed: boolean;
  dueAt: number;
  /** Consecutive offline / failed results. */
  misses: number;
  inFlight: AbortController | undefined;
  /** `refresh()` asked while a lookup ran: look again as soon as it ends. */
  again: boolean;
  /** Asked for by `refresh()`: not held back by `minIntervalMs`. */
  urgent: boolean;
}

export interface PresenceScheduler {
  /** The contacts to watch; new ones are looked up soon, removed ones are forgotten (their lookups aborted). */
  setContacts(aors: readonly string[]): void;
  /** Look this contact up now (ahead of the queue, still within `maxInFlight`). */
  refresh(aor: string): void;
  get(aor: string): PresenceEntry | undefined;
  /** Immutable; a new object after every change (for useSyncExternalStore). */
  getSnapshot(): ReadonlyMap<string, PresenceEntry>;
  subscribe(listener: () => void): () => void;
  /** Lookups running now. */
  readonly inFlight: number;
  close(): void;
}

export function createPresenceScheduler(deps: PresenceDeps, init: PresenceInit = {}): PresenceScheduler {
  const maxInFlight = Math.max(1, init.maxInFlight ?? 2);
  const refreshMs = init.refreshMs ?? 60_000;
  const jitter = Math.min(Math.max(init.jitter ?? 0.2, 0), 0.99);
  const maxBackoffMs = Math.max(refreshMs, init.maxBackoffMs ?? 600_000);
  const timeoutMs = init.timeoutMs ?? 15_000;
  const minIntervalMs = Math.max(0, init.minIntervalMs ?? 250);
  const { clock } = deps;

  const contacts = new Map<string, Tracked>();
  const listeners = new Set<() => void>();
  let snapshot: ReadonlyMap<string, PresenceEntry> = new Map();
  let running = 0;
  let lastStart = Number.NEGATIVE_INFINITY;
  let wake: { at: number; timer: { cancel(): void } } | undefined;
  let closed = false;

  const jittered = (ms: number) => Math.round(ms * (1 + jitter * (2 * deps.random.float() - 1)));

  const emit = () => {
    const next = new Map<string, PresenceEntry>();
    for (const [aor, t] of contacts) next.set(aor, { aor, state: t.state, checking: t.inFlight !== undefined, checkedAt: t.checkedAt, failed: t.failed });
    snapshot = next;
    for (const l of [...listeners]) l();
  };

  /** Start what is due (within the bound) and set one timer for the next due contact. */
  const pump = () => {
    if (closed) return;
    const now = clock.now();
    const waiting = [...contacts.entries()].filter(([, t]) => !t.inFlight).sort((a, b) => a[1].dueAt - b[1].dueAt);
    let started = false;
    for (const [aor, t] of waiting) {
      if (running >= maxInFlight || t.dueAt > now) break;
      if (!t.urgent && now < lastStart + minIntervalMs) break;
      start(aor, t);
      started = true;
    }
    const head = running >= maxInFlight ? undefined : waiting.find(([, t]) => !t.inFlight)?.[1];
    const next = head === undefined ? undefined : head.urgent ? head.dueAt : Math.max(head.dueAt, lastStart + minIntervalMs);
    if (wake && wake.at !== next) {
      wake.timer.cancel();
      wake = undefined;
    }
    if (next !== undefined && !wake) wake = { at: next, timer: clock.setTimer(Math.max(0, next - now), () => ((wake = undefined), pump())) };
    if (started) emit();
  };

  const start = (aor: string, t: Tracked) => {
    const controller = new AbortController();
    t.inFlight = controller;
    t.again = false;
    t.urgent = false;
    lastStart = clock.now();
    running++;
    let settled = false;
    const finish = (result: boolean | 'failed') => {
      if (settled) return;
      settled = true;
      timeout.cancel();
      running--;
      if (contacts.get(aor) !== t || t.inFlight !== controller || closed) return pump();
      t.inFlight = undefined;
      t.checkedAt = clock.now();
      t.failed = result === 'failed';
      if (result === true) {
        t.state = 'online';
        t.misses = 0;
        t.dueAt = clock.now() + jittered(refreshMs);
      } else {
        if (result === false) t.state = 'offline';
        t.misses++;
        t.dueAt = clock.now() + jittered(Math.min(maxBackoffMs, refreshMs * 2 ** (t.misses - 1)));
      }
      if (t.again) {
        t.dueAt = clock.now();
        t.urgent = true;
      }
      emit();
      pump();
    };
    const timeout = clock.setTimer(timeoutMs, () => {
      controller.abort();
      finish('failed');
    });
    let pending: Promise<boolean>;
    try {
      pending = deps.lookup(aor, { signal: controller.signal });
    } catch {
      pending = Promise.reject(new Error('lookup threw'));
    }
    pending.then(
      (online) => finish(online === true),
      () => finish('failed'),
    );
  };

  return {
    setContacts(aors) {
      if (closed) return;
      const wanted = new Set(aors);
      let changed = false;
      for (const [aor, t] of contacts) {
        if (wanted.has(aor)) continue;
        t.inFlight?.abort();
        contacts.delete(aor);
        changed = true;
      }
      const now = clock.now();
      for (const aor of wanted) {
        if (contacts.has(aor)) continue;
        contacts.set(aor, { state: 'unknown', checkedAt: undefined, failed: false, dueAt: now, misses: 0, inFlight: undefined, again: false, urgent: false });
        changed = true;
      }
      if (changed) emit();
      pump();
    },
    refresh(aor) {
      const t = contacts.get(aor);
      if (!t || closed) return;
      if (t.inFlight) {
        t.again = true;
        return;
      }
      // Ahead of everything already due: the earliest due time, or now.
      let earliest = clock.now();
      for (const other of contacts.values()) if (!other.inFlight) earliest = Math.min(earliest, other.dueAt);
      t.dueAt = earliest - 1;
      t.urgent = true;
      pump();
    },
    get: (aor) => snapshot.get(aor),
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get inFlight() {
      return running;
    },
    close() {
      closed = true;
      wake?.timer.cancel();
      wake = undefined;
      for (const t of contacts.values()) t.inFlight?.abort();
      listeners.clear();
    },
  };
}
