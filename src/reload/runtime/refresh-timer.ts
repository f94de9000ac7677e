/**
 * Keeping stored data alive. A stored value lives for its `lifetime`, RFC 6940 §7: "The validity
 * period for the data, in seconds, starting from the time the peer receives the StoreReq": data
 * that must stay in the overlay is stored again before that ends (RFC 3261 §10.2.4 style: refresh
 * before it expires). The SIP registration (RFC 7904 §3.1) and the Certificate Store Usage
 * (RFC 6940 §8) both do, on the injected clock.
 *
 * `refresh` runs `everyMs` after `start` and after each success, `retryMs` after a failure (logged),
 * until `stop`. A refresh answered after `stop` (or after a new `start`) schedules nothing.
 *
 * ```ts
 * const keeper = new RefreshTimer({ clock, logger }, { everyMs: refreshIntervalMs(3600), retryMs: 5000, refresh: () => storeAgain(), failure: 'refresh failed' });
 * keeper.start();  ...  keeper.stop();
 * ```
 */
import { silentLogger, type Clock, type Logger, type Timer } from './components.js';

export interface RefreshTimerDeps {
  readonly clock: Pick<Clock, 'setTimer'>;
  readonly logger?: Logger;
}

export interface RefreshTimerInit {
  /** Time from one successful refresh (or `start`) to the next, ms. */
  readonly everyMs: number;
  /** Time from a failed refresh to the next try, ms. */
  readonly retryMs: number;
  readonly refresh: () => Promise<unknown>;
  /** The warning logged when a refresh fails, with `fields` and the error. */
  readonly failure: string;
  readonly fields?: Record<string, unknown>;
}

/** `ratio` (default 0.8) of a `lifetime` in seconds, in ms: when to store data of that lifetime again. */
export function refreshIntervalMs(lifetime: number, ratio = 0.8): number {
  return lifetime * 1000 * ratio;
}

export class RefreshTimer {
  private timer: Timer | undefined;
  /** Bumped by `start` and `stop`: a refresh answered in an older generation schedules nothing. */
  private generation = 0;
  private readonly log: Logger;

  constructor(
    private readonly deps: RefreshTimerDeps,
    private readonly init: RefreshTimerInit,
  ) {
    this.log = deps.logger ?? silentLogger;
  }

  /** (Re)start: the first refresh in `firstInMs` (default `everyMs`), any earlier schedule dropped. */
  start(firstInMs = this.init.everyMs): void {
    this.stop();
    this.schedule(this.generation, firstInMs);
  }

  /** No refresh from now on (one under way finishes, but schedules nothing). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.generation++;
  }

  private schedule(generation: number, ms: number): void {
    this.timer = this.deps.clock.setTimer(ms, () => {
      if (generation !== this.generation) return;
      this.init.refresh().then(
        () => generation === this.generation && this.schedule(generation, this.init.everyMs),
        (e: unknown) => {
          this.log.warn(this.init.failure, { ...this.init.fields, error: String(e) });
          if (generation === this.generation) this.schedule(generation, this.init.retryMs);
        },
      );
    });
  }
}
