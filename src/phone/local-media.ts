/**
 * The Phone's local media: the microphone (and camera when asked), opened once and kept while calls
 * come and go, so a call does not wait for the device to open again (issue 6 call-setup goal;
 * kamailio-baseline.md: a pre-acquired stream saves the getUserMedia time).
 *
 * ```ts
 * const media = new LocalMedia(getUserMedia, clock, { keepMs: 30_000 });
 * const lease = await media.acquire({ audio: true, video: false }); // a clone of the kept stream
 * session = ua.call(aor, { mediaStream: lease.stream });
 * lease.release();                                                  // at the call's end
 * media.close();                                                    // the Phone stops
 * ```
 * Each call gets its own clone: muting or holding one call (JsSIP toggles `track.enabled`) does not
 * touch the next. Privacy: the device is opened only when a call needs it (no pre-acquisition at
 * start), and the kept stream is stopped `idleMs` after the last call released it, so the browser's
 * "microphone in use" indicator goes off then (`keepMs`; 0 keeps nothing). A kept stream whose tracks ended (device unplugged,
 * permission revoked) is dropped and the device opened again. Where streams cannot be cloned
 * (`clone` missing), every call opens its own stream and its release stops it.
 */
import type { Clock, Timer } from '../reload/runtime/components.js';

export interface MediaConstraintsLite {
  readonly audio: boolean;
  readonly video: boolean;
}

export type GetMedia = (constraints: MediaConstraintsLite) => Promise<MediaStream>;

export interface MediaLease {
  readonly stream: MediaStream;
  /** Stop this call's tracks; the kept stream stays until `idleMs` with no lease. Idempotent. */
  release(): void;
}

export interface LocalMediaOptions {
  /**
   * How long the device stays open after the last call released it (ms); default 30 000. 0: not
   * kept at all, every call opens its own stream and its release stops it.
   */
  readonly keepMs?: number;
}

interface Kept {
  readonly video: boolean;
  readonly stream: Promise<MediaStream>;
  /** The stream once open, so that closing stops it at once. */
  opened?: MediaStream;
  leases: number;
  idle?: Timer;
}

function stop(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

function live(stream: MediaStream): boolean {
  const tracks = stream.getTracks();
  return tracks.length > 0 && tracks.every((t) => t.readyState !== 'ended');
}

export class LocalMedia {
  private kept: Kept | undefined;
  private readonly idleMs: number;

  constructor(
    private readonly getMedia: GetMedia,
    private readonly clock: Clock,
    options: LocalMediaOptions = {},
  ) {
    this.idleMs = options.keepMs ?? 30_000;
  }

  /** Whether a device stream is held open now (the browser shows it as in use). */
  get holding(): boolean {
    return this.kept !== undefined;
  }

  /** A stream for one call; rejects as getMedia does (NotAllowedError when the user refused). */
  /**
   * A lease at once (no await) when the kept stream is open, live and of this kind; undefined
   * otherwise (then `acquire`). Lets the Phone answer inside JsSIP's newRTCSession, as JsSIP users
   * with a pre-acquired stream do, instead of a few event-loop turns later.
   */
  acquireNow(constraints: MediaConstraintsLite): MediaLease | undefined {
    const kept = this.kept;
    if (!kept?.opened || kept.video !== constraints.video || !live(kept.opened)) return undefined;
    return this.lease(kept, kept.opened);
  }

  async acquire(constraints: MediaConstraintsLite): Promise<MediaLease> {
    if (this.idleMs <= 0) return this.own(await this.getMedia(constraints));
    let kept = this.kept;
    if (kept && kept.video === constraints.video) {
      const stream = await kept.stream.catch(() => undefined);
      if (stream && live(stream) && this.kept === kept) return this.lease(kept, stream);
      if (this.kept === kept) this.drop();
    } else if (kept && kept.leases === 0) {
      this.drop();
    } else if (kept) {
      // Another kind of stream is in use by a call: this one is opened for this call alone.
      return this.own(await this.getMedia(constraints));
    }
    const fresh: Kept = { video: constraints.video, stream: this.getMedia(constraints), leases: 0 };
    void fresh.stream.then((st) => (fresh.opened = st), () => {});
    kept = fresh;
    this.kept = kept;
    let stream: MediaStream;
    try {
      stream = await kept.stream;
    } catch (e) {
      if (this.kept === kept) this.kept = undefined;
      throw e;
    }
    // Closed while the device opened: drop() has stopped it.
    if (this.kept !== kept) throw new Error('the local media was closed while the device opened');
    if (typeof stream.clone !== 'function') {
      this.kept = undefined;
      return this.own(stream);
    }
    return this.lease(kept, stream);
  }

  /** Stop the kept stream now (the Phone stops); calls still going keep their own tracks. */
  close(): void {
    this.drop();
  }

  private lease(kept: Kept, stream: MediaStream): MediaLease {
    kept.idle?.cancel();
    kept.idle = undefined;
    kept.leases++;
    const clone = stream.clone();
    let released = false;
    return {
      stream: clone,
      release: () => {
        if (released) return;
        released = true;
        stop(clone);
        if (this.kept !== kept) return;
        kept.leases--;
        if (kept.leases === 0) kept.idle = this.clock.setTimer(this.idleMs, () => this.kept === kept && kept.leases === 0 && this.drop());
      },
    };
  }

  private own(stream: MediaStream): MediaLease {
    let released = false;
    return {
      stream,
      release: () => {
        if (released) return;
        released = true;
        stop(stream);
      },
    };
  }

  private drop(): void {
    const kept = this.kept;
    this.kept = undefined;
    if (!kept) return;
    kept.idle?.cancel();
    if (kept.opened) stop(kept.opened);
    else void kept.stream.then(stop, () => {});
  }
}
