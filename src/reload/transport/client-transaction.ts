/**
 * One outgoing request and its end-to-end reliability (RFC 6940 §6.2.1): "When an originating node
 * transmits a request, it MUST set a timer to the current overlay-reliability-timer. If a response
 * has not been received when the timer fires, the request MUST be retransmitted with the same
 * transaction identifier. The request MAY be retransmitted up to 4 times, for a total of 5
 * messages. After the timer for the fifth transmission fires, the message MUST be considered to
 * have failed." Each retransmission is the same signed bytes.
 *
 * ```
 *   waiting ──── answer ─────────────────────────▶ answered
 *      │ ╰──── error answer / final send failure ─▶ failed
 *      │ ╰──── timer after the 5th transmission ──▶ timed-out   (Error_Request_Timeout)
 *      ╰────── abort signal / transport closed ───▶ aborted
 *   (a timer before the 5th transmission retransmits and stays in `waiting`)
 * ```
 */
import type { Clock, Timer } from '../runtime/components.js';
import { AbortError } from '../runtime/components.js';
import { unwatchAbort, watchAbort, type AbortWatcher } from '../runtime/abort-watch.js';
import { ReloadError } from '../runtime/reload-error.js';
import { StateMachine, type TransitionTable } from '../runtime/state-machine.js';
import type { Destination } from '../wire/destination.js';
import type { ForwardingHeader } from '../wire/forwarding-header.js';
import type { SendResult } from '../forwarding/index.js';

export type ClientTransactionState = 'waiting' | 'answered' | 'failed' | 'timed-out' | 'aborted';

export const clientTransactionTransitions: TransitionTable<ClientTransactionState> = {
  waiting: ['answered', 'failed', 'timed-out', 'aborted'],
  answered: [],
  failed: [],
  'timed-out': [],
  aborted: [],
};

/** RFC 6940 §6.2.1: "up to 4 times, for a total of 5 messages". */
export const MAX_TRANSMISSIONS = 5;

export interface ClientTransactionInit {
  readonly transactionId: bigint;
  readonly requestCode: number;
  readonly destinationList: readonly Destination[];
  /** The signed, encoded request. */
  readonly message: Uint8Array;
  /** Its forwarding header as encoded, and that header's size (Forwarding.send need not decode them). */
  readonly header?: ForwardingHeader;
  readonly headerLength?: number;
  /** overlay-reliability-timer (ms). */
  readonly timerMs: number;
  readonly maxTransmissions?: number;
  /** Skip the §6.3.4 check 2 on who answers (RequestOptions.anyResponder). */
  readonly anyResponder?: boolean;
  /**
   * Certificate lookups started before the request was made (MessageVerification.lookupsStarted):
   * its answer may wait for a lookup started before the request, never for one started after it
   * (CertificateLookups.waitFor: that one may be waiting for this very answer).
   */
  readonly certificateLookupsBefore: number;
}

/**
 * Who runs the transaction (message transport): it hands each transmission to forwarding and is
 * told when the transaction ends. One object for every transaction, so starting one makes no
 * closures (a simulator starts millions).
 */
export interface ClientTransactionOwner<T> {
  /** Hand `tx.init.message` to forwarding (transmission number `tx.transmissions`). */
  transmitRequest(tx: ClientTransaction<T>): SendResult;
  /** Called once when `tx` ends, whatever the outcome. */
  transactionEnded(tx: ClientTransaction<T>): void;
}

export class ClientTransaction<T> implements AbortWatcher {
  private readonly machine: StateMachine<ClientTransactionState>;
  private sent = 0;
  /** The timer of the last transmission (cancelled when the transaction ends). */
  private timer: Timer | undefined;
  /** The request's abort signal, watched while `waiting` (runtime/abort-watch.ts: one listener per signal). */
  private signal: AbortSignal | undefined;
  /** An answer was rejected already (answerRejected). */
  private rejected = false;

  constructor(
    private readonly clock: Clock,
    readonly init: ClientTransactionInit,
    private readonly owner: ClientTransactionOwner<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.machine = new StateMachine('transaction', clientTransactionTransitions, 'waiting');
  }

  get state(): ClientTransactionState {
    return this.machine.state;
  }

  /** Transmissions so far (1 after `start`). */
  get transmissions(): number {
    return this.sent;
  }

  /** The final destination (last entry of the destination list), for the §6.3.4 answer checks. */
  get target(): Destination | undefined {
    const list = this.init.destinationList;
    return list[list.length - 1];
  }

  /** Send the first transmission; with `signal`, an abort ends the transaction (`aborted`). */
  start(signal?: AbortSignal): void {
    if (signal?.aborted) {
      this.abort();
      return;
    }
    if (signal) {
      this.signal = signal;
      watchAbort(signal, this);
    }
    this.transmit();
  }

  /** The abort signal's watcher (AbortWatcher). */
  handleAbort(): void {
    this.abort();
  }

  answer(value: T): void {
    if (!this.end('answered')) return;
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (!this.end('failed')) return;
    this.reject(error);
  }

  abort(reason = 'the request was aborted'): void {
    if (!this.end('aborted')) return;
    this.reject(new AbortError(reason));
  }

  /**
   * §6.3.4 check 2 rejected an answer (it came from a node farther from the target than a node of
   * our Neighbor Table): "This will cause the response to be rejected and the request to be
   * retransmitted." OUR CHOICE: the first time, the retransmission goes at once rather than when
   * the timer fires: the rejection tells that the request did arrive and that the ring around the
   * target changed since (a burst of joins: a node that joined a moment ago took the target's
   * range), so the route our table now gives is the one to try. Later ones wait for the timer, so
   * two nodes whose pictures of the ring differ cannot use up the transmissions at once; and none
   * goes if the timer has retransmitted since the answer arrived (`sentBefore`: the transmissions
   * then; the answer's signature is checked asynchronously).
   */
  answerRejected(sentBefore: number): void {
    if (this.state !== 'waiting' || this.rejected) return;
    this.rejected = true;
    if (this.sent > sentBefore || this.sent >= (this.init.maxTransmissions ?? MAX_TRANSMISSIONS)) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.transmit();
  }

  private transmit(): void {
    if (this.state !== 'waiting') return;
    this.sent++;
    const result = this.owner.transmitRequest(this);
    if (!result.ok && result.errorCode !== undefined) {
      this.fail(new ReloadError(result.errorCode, new TextEncoder().encode(result.reason)));
      return;
    }
    // A transient failure (no route now) is retried like a lost message.
    if (this.state === 'waiting') this.timer = this.clock.setTimer(this.init.timerMs, () => this.onTimer());
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.state !== 'waiting') return;
    if (this.sent < (this.init.maxTransmissions ?? MAX_TRANSMISSIONS)) {
      this.transmit();
      return;
    }
    if (!this.end('timed-out')) return;
    this.reject(ReloadError.of('Error_Request_Timeout', `no answer after ${this.sent} transmissions`));
  }

  private end(to: ClientTransactionState): boolean {
    if (this.state !== 'waiting') return false;
    // Leaving `waiting` stops the retransmission timer.
    this.timer?.cancel();
    this.timer = undefined;
    this.machine.transition(to);
    if (this.signal) unwatchAbort(this.signal, this);
    this.signal = undefined;
    this.owner.transactionEnded(this);
    return true;
  }
}
