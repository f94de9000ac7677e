/**
 * WebRTC offers made ahead of the join's Attaches (issue 5: page load → joined). A join makes
 * its Attaches one step after another (RFC 6940 §10.5, §11.4: the admitting peer, then the
 * neighbours), and each Attach request carries the ICE candidates gathered for it (no trickle,
 * links/webrtc/webrtc-connection.ts). Gathering starts here as soon as the configuration (its
 * STUN/TURN servers) is known, while the peer still enrolls and dials its bootstrap WebSocket, so
 * the Attaches find their candidates ready. Each offer is its own peer connection, used for one
 * Attach; nothing about them is signed or sent before that Attach (the Attach signs them, §6.5.1).
 *
 * ```ts
 * const pool = createOfferPool({ clock }, { rtcConfiguration }, { count: 8 });
 * createWebRtcNetwork(deps, { ..., preparedOffers: pool });  // ice.offer() takes the next; its budget counts the rest
 * pool.close();                                                     // releases what was not taken
 * ```
 */
import { offerWebRtc, type WebRtcDeps, type WebRtcInit, type WebRtcOffer } from '../../reload/links/webrtc/index.js';
import type { PreparedOffers } from '../../reload/overlay/index.js';
import type { Timer } from '../../reload/runtime/components.js';

/** Offers prepared for a browser's join: the Attach to the admitting peer and to its neighbours (a 20-peer overlay's join makes about 8). */
export const JOIN_OFFERS = 8;
/** Offers not taken within this long are released (ms). */
export const PREPARED_OFFER_MAX_AGE_MS = 30_000;

export interface OfferPoolOptions {
  /** How many offers to make now. */
  readonly count: number;
  /** Release offers not taken within this long (ms); default PREPARED_OFFER_MAX_AGE_MS. */
  readonly maxAgeMs?: number;
}

export interface OfferPool extends PreparedOffers {
  /** Release the offers not taken (their peer connections close); `take` gives none after. */
  close(): void;
}

export function createOfferPool(deps: WebRtcDeps, init: WebRtcInit, options: OfferPoolOptions): OfferPool {
  let expiry: Timer | undefined;
  /**
   * The offers not taken, oldest first (a Map keeps insertion order), each with its own abort: one
   * still gathering when the pool closes ends now (its peer connection closes), one taken is the taker's.
   */
  const waiting = new Map<Promise<WebRtcOffer>, AbortController>();
  /**
   * An offer not taken whose peer connection is gone (its gathering failed, or it closed) holds
   * nothing: it leaves the pool at once, and so the count the network's budget reads (`left`).
   */
  const drop = (offer: Promise<WebRtcOffer>) => {
    waiting.delete(offer);
    if (waiting.size === 0) expiry?.cancel();
  };
  for (let i = 0; i < options.count; i++) {
    const abort = new AbortController();
    const offer = offerWebRtc(deps, init, { signal: abort.signal });
    waiting.set(offer, abort);
    offer.then(
      (o) => o.onClose(() => drop(offer)),
      () => drop(offer),
    );
  }
  const close = () => {
    expiry?.cancel();
    const left = [...waiting];
    waiting.clear();
    for (const [offer, abort] of left) {
      // Still gathering: the abort ends its gathering and closes its peer connection at once
      // (links/webrtc); gathered already: the abort is too late, and cancel closes it.
      abort.abort();
      offer.then((o) => o.cancel(), () => undefined);
    }
  };
  expiry = deps.clock.setTimer(options.maxAgeMs ?? PREPARED_OFFER_MAX_AGE_MS, close);
  return {
    take() {
      const next = waiting.keys().next();
      if (!next.done) waiting.delete(next.value);
      if (waiting.size === 0) expiry?.cancel();
      // May reject (still gathering when taken, and then failed): the taker makes a fresh one if it still wants one.
      return next.done ? undefined : next.value;
    },
    left: () => waiting.size,
    close,
  };
}
