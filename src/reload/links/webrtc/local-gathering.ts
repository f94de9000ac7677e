/**
 * Our side's ICE parameters as simple-peer trickles them (its local description, then each
 * candidate, then the end of gathering), and the bounded wait for them that an Attach makes
 * before it goes out (RFC 6940 §6.5.1: one AttachReqAns carries every candidate; nothing is
 * trickled to the other side): until gathering is complete, quiet for `gatherQuietMs` after a
 * candidate, or `gatherTimeoutMs` is over, whichever comes first.
 */
import { AbortError, type AbortOptions, type Clock, type Logger, type Timer } from '../../runtime/components.js';
import { LinkOpenError } from '../link.js';
import { candidateLines, iceParametersFromSdp, type IceParameters } from './ice-parameters.js';

export interface GatherSettings {
  /** Longest wait for candidates before the Attach goes out with what there is (ms); default 1 500. */
  readonly gatherTimeoutMs?: number;
  /** Once a candidate is in, stop after this long without a new one (ms); default 250. */
  readonly gatherQuietMs?: number;
}

/** Our ICE parameters for an offer or answer were not gathered: the WebRTC stack gave us none of use. */
export class GatheringError extends LinkOpenError {
  override readonly name: string = 'GatheringError';
}

/** The WebRTC stack made no local description (SDP offer or answer) within the wait. */
export class NoLocalDescriptionError extends GatheringError {
  override readonly name: string = 'NoLocalDescriptionError';
}

/**
 * The peer connection closed (the WebRTC stack closed it) before our ICE parameters were gathered,
 * with or without a local description: none of its parameters are of use.
 */
export class ClosedWhileGatheringError extends GatheringError {
  override readonly name: string = 'ClosedWhileGatheringError';
}

/**
 * OUR CHOICE: how long a WebRTC stack may take to make any local description before the offer or
 * answer fails (NoLocalDescriptionError), when gatherTimeoutMs is shorter.
 */
const NO_DESCRIPTION_MS = 5_000;

export class LocalGathering {
  private readonly candidates: string[] = [];
  /** Our SDP offer or answer, once simple-peer made it. */
  description: string | undefined;
  private iceComplete = false;
  /** Its peer connection is closed: no parameters of use will come. */
  private ended = false;
  /** The waits in `gathered` to wake at the next event; each leaves when it wakes. */
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly session: number,
    private readonly settings: GatherSettings,
  ) {}

  /** simple-peer's 'signal': our description, or one candidate. */
  signal(data: { type?: string; sdp?: string; candidate?: RTCIceCandidateInit }): void {
    if ((data.type === 'offer' || data.type === 'answer') && data.sdp !== undefined) this.description = data.sdp;
    else if (data.candidate?.candidate) this.candidates.push(data.candidate.candidate);
    this.poke();
  }

  /** simple-peer's '_iceComplete': no candidate will follow. */
  complete(): void {
    this.iceComplete = true;
    this.poke();
  }

  /**
   * Its peer connection closed (the session's one end: cancelled, or closed by the WebRTC stack):
   * a wait in `gathered` ends at once, and its offer or answer fails (and leaves an offer pool, and
   * the budget, webrtc-network.ts) now rather than when the wait would be over.
   */
  end(): void {
    this.ended = true;
    this.poke();
  }

  /**
   * Our IceParameters once gathering is complete or the bounded wait is over; NoLocalDescriptionError
   * when no description came within the wait, ClosedWhileGatheringError if its peer connection closes first.
   */
  async gathered(options: AbortOptions): Promise<{ parameters: IceParameters; mid: string }> {
    const { clock } = this;
    const started = clock.now();
    const timeoutMs = this.settings.gatherTimeoutMs ?? 1_500;
    const quietMs = this.settings.gatherQuietMs ?? 250;
    let lastCount = -1;
    let lastChange = started;
    for (;;) {
      if (options.signal?.aborted) throw new AbortError();
      if (this.ended) throw new ClosedWhileGatheringError('the peer connection closed before its ICE parameters were gathered');
      const now = clock.now();
      if (this.candidates.length !== lastCount) {
        lastCount = this.candidates.length;
        lastChange = now;
      }
      const sdp = this.description;
      if (sdp !== undefined) {
        const complete = this.iceComplete || /a=end-of-candidates/.test(sdp);
        const quiet = lastCount > 0 && now - lastChange >= quietMs;
        const candidatesInSdp = /a=candidate:/.test(sdp);
        if (complete || quiet || (candidatesInSdp && this.iceComplete) || now - started >= timeoutMs) {
          const g = iceParametersFromSdp(sdp, this.candidates);
          this.log.debug('webrtc gathered', { session: this.session, ufrag: g.parameters.ufrag, candidates: candidateLines(g.parameters), waitedMs: now - started });
          return g;
        }
      } else if (now - started >= Math.max(timeoutMs, NO_DESCRIPTION_MS)) {
        throw new NoLocalDescriptionError('no local description was made');
      }
      // Wake at the next event or the next deadline, whichever comes first. Without a description
      // only its own deadline counts: gatherTimeoutMs and the quiet time may be over already.
      const deadline =
        sdp === undefined
          ? started + Math.max(timeoutMs, NO_DESCRIPTION_MS)
          : Math.min(started + timeoutMs, lastCount > 0 ? lastChange + quietMs : Number.POSITIVE_INFINITY);
      await new Promise<void>((resolve) => {
        let timer: Timer | undefined;
        const wake = () => {
          timer?.cancel();
          this.waiters.delete(wake);
          options.signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.add(wake);
        timer = clock.setTimer(Math.max(1, deadline - clock.now()), wake);
        options.signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }
}
