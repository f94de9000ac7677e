/**
 * The simulator's workload: Stores of fresh values under fresh resource names, each issued from a
 * random live peer at a random time of a window, and, once a Store is acknowledged, one Fetch of
 * the same name from another random live peer after a random delay. Every outcome is recorded
 * (success, hops, error) for the figures of metrics.ts. An operation that fails because its own
 * peer departed while it ran (churn took the user's tab away, not the overlay's answer) is issued
 * again from another live peer, at most MAX_REISSUES times, and counted as `reissued`. Driven by the virtual clock's timers and
 * a seeded generator: same seed, same workload.
 */
import type { Clock, Random, Timer } from '../../reload/runtime/components.js';

/** How often one Store or Fetch is issued again after its peer departed during it. */
export const MAX_REISSUES = 3;

/** The outcome of one Store or Fetch as the overlay reports it. */
export interface OperationOutcome {
  /** A non-error answer came back. */
  readonly ok: boolean;
  /** Overlay hops the request took to the responsible peer (when the answer tells). */
  readonly hops?: number;
  /** Why it failed (error code name, timeout, …). */
  readonly error?: string;
}

export interface FetchOutcome extends OperationOutcome {
  /** The value found; undefined when the answer held none. */
  readonly value?: Uint8Array;
}

/** What the workload needs from the overlay under test. */
export interface WorkloadTarget<P> {
  /** A random live peer (one that has joined and not left), or undefined when there is none. */
  pickPeer(random: Random): P | undefined;
  /** Whether `peer` is still live (has not left or failed since it was picked). */
  isLive(peer: P): boolean;
  store(peer: P, name: string, value: Uint8Array): Promise<OperationOutcome>;
  fetch(peer: P, name: string): Promise<FetchOutcome>;
}

export interface WorkloadInit {
  /** Number of Stores (each followed by one Fetch once acknowledged). */
  readonly stores: number;
  /** Virtual time (ms) at which the Store window opens. */
  readonly startMs: number;
  /** Stores are issued at uniformly random times in [startMs, startMs + windowMs). */
  readonly windowMs: number;
  /** Delay between a Store's acknowledgement and its Fetch: uniform in [min, max] ms. */
  readonly fetchDelayMs: readonly [number, number];
  /** Size of each stored value in bytes. */
  readonly valueSize: number;
  /** A Store or Fetch still unanswered after this long fails as `timeout`; default 60 s. */
  readonly operationTimeoutMs?: number;
  /** Prefix of the resource names; default `sim-`. */
  readonly namePrefix?: string;
}

/** What happened to one stored name. */
export interface WorkloadRecord {
  readonly name: string;
  readonly storeAt: number;
  storeOk?: boolean;
  storeHops?: number;
  storeError?: string;
  fetchAt?: number;
  /** The Fetch was answered (any value or none). */
  fetchAnswered?: boolean;
  /** The Fetch returned exactly the stored value. */
  fetchOk?: boolean;
  fetchHops?: number;
  fetchError?: string;
}

export interface WorkloadSummary {
  readonly stores: number;
  readonly storesOk: number;
  /** Fetches issued (one per acknowledged Store). */
  readonly fetches: number;
  /** Fetches that returned the stored value. */
  readonly fetchesOk: number;
  /** Stores and Fetches issued. */
  readonly lookups: number;
  /** Stores and Fetches that got a non-error answer. */
  readonly lookupsOk: number;
  /** Hops of every answered Store and Fetch that reported them. */
  readonly hops: readonly number[];
  /** Failure reasons and how often each occurred. */
  readonly errors: Readonly<Record<string, number>>;
  /** Stores and Fetches issued again because their peer departed while they ran. */
  readonly reissued: number;
}

export class Workload<P> {
  private readonly records: WorkloadRecord[] = [];
  private readonly timers = new Set<Timer>();
  private inFlight = 0;
  private scheduled = 0;
  private reissued = 0;
  private stopped = false;
  private readonly timeoutMs: number;
  private readonly prefix: string;

  constructor(
    private readonly deps: { readonly clock: Clock; readonly random: Random },
    private readonly target: WorkloadTarget<P>,
    private readonly init: WorkloadInit,
  ) {
    this.timeoutMs = init.operationTimeoutMs ?? 60_000;
    this.prefix = init.namePrefix ?? 'sim-';
  }

  /** Schedule every Store (times drawn now, in order). */
  start(): void {
    const { clock, random } = this.deps;
    // Whole milliseconds (see churn.ts): timers land exactly on the instants they aim at.
    const times = Array.from({ length: this.init.stores }, () => Math.floor(this.init.startMs + random.float() * this.init.windowMs)).sort((a, b) => a - b);
    times.forEach((at, i) => this.later(at - clock.now(), () => void this.doStore(i, at)));
  }

  /** Stores or Fetches scheduled or running. */
  get pending(): number {
    return this.scheduled + this.inFlight;
  }

  /** Cancel what has not started (operations already running finish). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.scheduled -= this.timers.size;
    this.timers.clear();
  }

  get log(): readonly WorkloadRecord[] {
    return this.records;
  }

  summary(): WorkloadSummary {
    let storesOk = 0;
    let fetches = 0;
    let fetchesOk = 0;
    let lookupsOk = 0;
    const hops: number[] = [];
    const errors: Record<string, number> = {};
    const fail = (e: string | undefined) => {
      if (e !== undefined) errors[e] = (errors[e] ?? 0) + 1;
    };
    for (const r of this.records) {
      if (r.storeOk === undefined) continue;
      if (r.storeOk) {
        storesOk++;
        lookupsOk++;
        if (r.storeHops !== undefined) hops.push(r.storeHops);
      } else fail(`store: ${r.storeError ?? 'failed'}`);
      if (r.fetchAnswered === undefined) continue;
      fetches++;
      if (r.fetchAnswered) {
        lookupsOk++;
        if (r.fetchHops !== undefined) hops.push(r.fetchHops);
      }
      if (r.fetchOk) fetchesOk++;
      else fail(`fetch: ${r.fetchError ?? 'failed'}`);
    }
    const stores = this.records.filter((r) => r.storeOk !== undefined).length;
    return { stores, storesOk, fetches, fetchesOk, lookups: stores + fetches, lookupsOk, hops, errors, reissued: this.reissued };
  }

  private later(ms: number, fn: () => void): void {
    this.scheduled++;
    const t = this.deps.clock.setTimer(ms, () => {
      this.timers.delete(t);
      this.scheduled--;
      fn();
    });
    this.timers.add(t);
  }

  private async doStore(i: number, at: number): Promise<void> {
    const { random } = this.deps;
    const record: WorkloadRecord = { name: `${this.prefix}${i}`, storeAt: at };
    this.records.push(record);
    const value = random.bytes(this.init.valueSize);
    const outcome = await this.issue(random, (peer) => this.target.store(peer, record.name, value));
    record.storeOk = outcome.ok;
    if (outcome.hops !== undefined) record.storeHops = outcome.hops;
    if (!outcome.ok) {
      record.storeError = outcome.error ?? 'failed';
      return;
    }
    const [min, max] = this.init.fetchDelayMs;
    this.later(Math.round(min + random.float() * (max - min)), () => void this.doFetch(record, value));
  }

  private async doFetch(record: WorkloadRecord, value: Uint8Array): Promise<void> {
    record.fetchAt = this.deps.clock.now();
    const outcome: FetchOutcome = await this.issue(this.deps.random, (peer) => this.target.fetch(peer, record.name));
    record.fetchAnswered = outcome.ok;
    if (outcome.hops !== undefined) record.fetchHops = outcome.hops;
    record.fetchOk = outcome.ok && outcome.value !== undefined && equalBytes(outcome.value, value);
    if (!record.fetchOk) record.fetchError = outcome.ok ? (outcome.value === undefined ? 'not found' : 'wrong value') : (outcome.error ?? 'failed');
  }

  /**
   * Run `op` from a random live peer; again from another (MAX_REISSUES) when it was aborted because
   * that peer departed (a closed peer ends its requests with an AbortError). Any other failure
   * counts as it is, whether or not the peer is still there.
   */
  private async issue<T extends OperationOutcome>(random: Random, op: (peer: P) => Promise<T>): Promise<T | OperationOutcome> {
    for (let attempt = 0; ; attempt++) {
      const peer = this.target.pickPeer(random);
      if (peer === undefined) return { ok: false, error: 'no live peer' };
      const outcome = await this.bounded(() => op(peer));
      if (outcome.ok || outcome.error !== 'AbortError' || this.target.isLive(peer) || this.stopped || attempt >= MAX_REISSUES) return outcome;
      this.reissued++;
    }
  }

  /** Run one operation, turning exceptions and a timeout into a failed outcome. */
  private async bounded<T extends OperationOutcome>(op: () => Promise<T>): Promise<T | OperationOutcome> {
    this.inFlight++;
    let timer: Timer | undefined;
    try {
      const timeout = new Promise<OperationOutcome>((resolve) => {
        timer = this.deps.clock.setTimer(this.timeoutMs, () => resolve({ ok: false, error: 'timeout' }));
      });
      const run = op().catch((e: unknown): OperationOutcome => ({ ok: false, error: errorLabel(e) }));
      return await Promise.race([run, timeout]);
    } finally {
      timer?.cancel();
      this.inFlight--;
    }
  }
}

/** A short failure label: a ReloadError's code name, else the error's name. */
export function errorLabel(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as { codeName?: unknown; name?: unknown };
    if (typeof o.codeName === 'string') return o.codeName;
    if (typeof o.name === 'string') return o.name;
  }
  return 'error';
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
