/**
 * RFC 6940 §6.2.1: "Receiving nodes MUST generate semantically equivalent responses to
 * retransmissions of the same request (this can be determined by the transaction ID) if the
 * request is received within the maximum request lifetime (15 seconds)." This cache keeps, per
 * (transaction id, requester), the signed part of the answer (MessageContents + SecurityBlock,
 * which the signature covers, §6.3.4), so a retransmission gets the same answer under a new
 * forwarding header for the path it came by; and it marks requests still being processed, so a
 * retransmission that overtakes its handler is not processed twice. Bounded in entries; with a
 * clock, entries also go once their lifetime is over even when no new request arrives (one timer,
 * armed while the cache is not empty), so an idle peer holds no answers it can no longer resend.
 */
import type { Clock, Timer } from '../runtime/components.js';
import { exactBytes } from '../wire/codec/byte-slab.js';

/** RFC 6940 §6.2.1 / §6.7: "the maximum request lifetime (15 seconds)". */
export const MAX_REQUEST_LIFETIME_MS = 15_000;

/** Scratch space of answerCacheKey. */
const KEY_BYTES = new Uint8Array(8);
const KEY_VIEW = new DataView(KEY_BYTES.buffer);
const keyCodes: number[] = [];

/**
 * The cache key of a request: its transaction_id (8 bytes) then the requester's Node-ID, one
 * character per byte. Made without hex or decimal conversion (one key per request received).
 */
export function answerCacheKey(transactionId: bigint, requester: Uint8Array): string {
  KEY_VIEW.setBigUint64(0, transactionId);
  const n = 8 + requester.length;
  keyCodes.length = n;
  for (let i = 0; i < 8; i++) keyCodes[i] = KEY_BYTES[i]!;
  for (let i = 0; i < requester.length; i++) keyCodes[8 + i] = requester[i]!;
  return String.fromCharCode.apply(null, keyCodes);
}

type Entry = { readonly state: 'in-progress'; readonly at: number } | { readonly state: 'answered'; readonly at: number; readonly payload: Uint8Array };

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private sweepTimer: Timer | undefined;

  constructor(
    private readonly maxEntries: number,
    private readonly lifetimeMs = MAX_REQUEST_LIFETIME_MS,
    private readonly clock?: Clock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** What is known of this request: nothing, still in progress, or the answer payload to resend. */
  lookup(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.at >= this.lifetimeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  begin(key: string, now: number): void {
    this.set(key, { state: 'in-progress', at: now });
  }

  /**
   * Kept in bytes of its own (exactBytes): an encoded answer is a view of a slab shared with other
   * messages (wire/codec/byte-slab.ts), which the entry would hold for the whole request lifetime.
   */
  answered(key: string, now: number, payload: Uint8Array): void {
    this.set(key, { state: 'answered', at: now, payload: exactBytes(payload) });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Drop every entry and stop the sweep timer. */
  clear(): void {
    this.entries.clear();
    this.sweepTimer?.cancel();
    this.sweepTimer = undefined;
  }

  /** Drop the entries whose lifetime is over at `now` (oldest first). */
  private expire(now: number): void {
    for (const [k, v] of this.entries) {
      if (now - v.at < this.lifetimeMs) break;
      this.entries.delete(k);
    }
  }

  /**
   * With a clock: a timer for when the oldest entry's lifetime ends, at least a quarter lifetime
   * away (so a busy peer sweeps a few times per lifetime, not once per answer).
   */
  private armSweep(): void {
    if (!this.clock || this.sweepTimer) return;
    const oldest = this.entries.values().next().value;
    if (!oldest) return;
    const at = oldest.at + this.lifetimeMs;
    this.sweepTimer = this.clock.setTimer(Math.max(this.lifetimeMs / 4, at - this.clock.now()), () => {
      this.sweepTimer = undefined;
      this.expire(this.clock!.now());
      this.armSweep();
    });
  }

  private set(key: string, e: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, e);
    if (this.clock) {
      // The sweep timer lets go of expired entries (and lookup never returns one): here only the
      // bound is kept, oldest first (Map keeps insertion order, and entries are set in time order,
      // so expired ones go first). Checking the size alone keeps this off every request's path.
      if (this.entries.size > this.maxEntries) {
        for (const k of this.entries.keys()) {
          if (this.entries.size <= this.maxEntries) break;
          this.entries.delete(k);
        }
      }
      this.armSweep();
      return;
    }
    // Oldest first (Map keeps insertion order): expired ones, then whatever exceeds the bound.
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && e.at - v.at < this.lifetimeMs) break;
      this.entries.delete(k);
    }
  }
}
