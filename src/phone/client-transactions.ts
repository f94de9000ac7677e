/**
 * OverlaySocket's client transactions (RFC 3261 §17.1): the UA's requests, by top Via branch, each
 * kept as long as the UA's own transaction for it and longer while an INVITE branch may still ring,
 * and given up when the UA has given up on it (its Timer B or F, or `uaGaveUp`).
 */
import type { Clock, Timer } from '../reload/runtime/components.js';
import type { ResponseContext } from './response-context.js';
import { TRANSACTION_LIFETIME_MS } from './sip-timers.js';
import type { SipMessage } from './sip-message.js';

export interface ClientTx {
  ready: Promise<void>;
  /** Once the request went to its devices. */
  context?: ResponseContext;
  timer?: Timer;
  /** The UA's transaction ended (64*T1, uaGaveUp) while the request was still being routed: it is not sent. */
  givenUp?: boolean;
  readonly request: SipMessage;
  /** What went up to the UA of its responses: nothing, a provisional only, or a final (timedOutAtUa). */
  heard: 'nothing' | 'provisional' | 'final';
}

export interface ClientTransactionsDeps {
  readonly clock: Pick<Clock, 'setTimer'>;
  /** The UA's transaction for `request` timed out with no final (RFC 3261 §8.1.3.1: as a 408; InboundRequests.requestTimedOut). */
  readonly requestTimedOut: (request: SipMessage) => void;
}

export class ClientTransactions {
  private readonly txs = new Map<string, ClientTx>();

  constructor(private readonly deps: ClientTransactionsDeps) {}

  get(branch: string): ClientTx | undefined {
    return this.txs.get(branch);
  }

  /**
   * Keep `tx` for TRANSACTION_LIFETIME_MS (RFC 3261 64*T1: retransmissions of its final), and
   * longer while an INVITE branch may still ring: its final, or its channel closing, must still
   * reach the UA.
   * At 64*T1 the UA's transaction itself has timed out unless what it needed went up (timedOutAtUa),
   * and the dialog its request was within then ends (requestTimedOut). Either way a request still
   * being routed is not sent, and an INVITE's context acts for a UA that heard nothing (giveUp,
   * ResponseContext.uaTimedOut).
   */
  remember(branch: string, tx: ClientTx): void {
    const old = this.txs.get(branch);
    old?.timer?.cancel();
    old?.context?.dispose();
    let first = true;
    const expire = (): void => {
      if (first) {
        first = false;
        if (timedOutAtUa(tx)) this.deps.requestTimedOut(tx.request);
        giveUp(tx);
      }
      if (tx.context?.ringing) {
        tx.timer = this.deps.clock.setTimer(TRANSACTION_LIFETIME_MS, expire);
        return;
      }
      tx.context?.dispose();
      if (this.txs.get(branch) === tx) this.txs.delete(branch);
    };
    tx.timer = this.deps.clock.setTimer(TRANSACTION_LIFETIME_MS, expire);
    this.txs.set(branch, tx);
  }

  /** The UA's INVITE session with this Call-ID failed before any response reached it (OverlaySocket.uaGaveUp). */
  uaGaveUp(callId: string): void {
    for (const tx of this.txs.values()) if (tx.request.method === 'INVITE' && tx.request.callId === callId) giveUp(tx);
  }

  close(): void {
    for (const t of this.txs.values()) {
      t.timer?.cancel();
      t.context?.dispose();
    }
    this.txs.clear();
  }
}

/**
 * At 64*T1 the UA's transaction for `tx` has timed out (JsSIP's Timer B or F, started just before
 * the socket's timer) unless what it needed went up: a final (Timer F, §17.1.2.2, runs on after a
 * provisional), or for an INVITE any response (Timer B runs only in the Calling state, §17.1.1.2).
 */
function timedOutAtUa(tx: ClientTx): boolean {
  return tx.request.method === 'INVITE' ? tx.heard === 'nothing' : tx.heard !== 'final';
}

/** The UA has given up on `tx`: not sent if still being routed, else its context acts for the UA. */
function giveUp(tx: ClientTx): void {
  if (tx.context) tx.context.uaTimedOut();
  else tx.givenUp = true;
}
