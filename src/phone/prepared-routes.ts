/**
 * Routes looked up ahead of their request (OverlaySocket.prepare, issue 6 call setup): the Phone
 * starts the AoR lookup (RFC 7904 §4.2) at the click, while the microphone opens and the offer is
 * made, and the INVITE that follows takes the result. Not a cache: one lookup per preparation,
 * taken once, dropped (and aborted) unused after `ttlMs`.
 */
import type { Clock, Timer } from '../reload/runtime/components.js';
import type { Destination } from '../reload/wire/destination.js';

interface Prepared {
  readonly lists: Promise<Destination[][]>;
  readonly controller: AbortController;
  readonly timer: Timer;
}

export class PreparedRoutes {
  private readonly entries = new Map<string, Prepared>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Start `lookup` for `key` unless one is under way; its failure is seen by whoever takes it. */
  prepare(key: string, lookup: (signal: AbortSignal) => Promise<Destination[][]>): void {
    if (this.entries.has(key)) return;
    const controller = new AbortController();
    const lists = lookup(controller.signal);
    lists.catch(() => {});
    const timer = this.clock.setTimer(this.ttlMs, () => {
      if (this.entries.get(key)?.lists !== lists) return;
      this.entries.delete(key);
      controller.abort();
    });
    this.entries.set(key, { lists, controller, timer });
  }

  /** The prepared lookup for `key`, once; from here `signal` (the request's routing bound) governs it. */
  take(key: string, signal: AbortSignal): Promise<Destination[][]> | undefined {
    const p = this.entries.get(key);
    if (!p) return undefined;
    this.entries.delete(key);
    p.timer.cancel();
    if (signal.aborted) p.controller.abort();
    else signal.addEventListener('abort', () => p.controller.abort(), { once: true });
    return p.lists;
  }

  close(): void {
    for (const p of this.entries.values()) (p.timer.cancel(), p.controller.abort());
    this.entries.clear();
  }
}
