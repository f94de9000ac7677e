/**
 * Routes looked up ahead of their request (OverlaySocket.prepare, issue 6 call setup): the dialer
 * starts the AoR lookup (RFC 7904 §4.2) while the address is typed, the Phone at the latest at the
 * click (while the microphone opens and the offer is made), and the request that follows takes the
 * result. Not a cache: one lookup per preparation, taken once, dropped (and aborted) unused after
 * `ttlMs`; a lookup that fails is dropped at once, so the request looks up afresh rather than
 * inherit an old "not registered".
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

  /** Start `lookup` for `key` unless one is under way or done and not taken yet. */
  prepare(key: string, lookup: (signal: AbortSignal) => Promise<Destination[][]>): void {
    if (this.entries.has(key)) return;
    const controller = new AbortController();
    const lists = lookup(controller.signal);
    const drop = () => {
      const p = this.entries.get(key);
      if (p?.lists !== lists) return false;
      this.entries.delete(key);
      p.timer.cancel();
      return true;
    };
    lists.catch(drop);
    const timer = this.clock.setTimer(this.ttlMs, () => drop() && controller.abort());
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
