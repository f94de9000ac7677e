/**
 * RFC 6940 §6.6.2 framing on top of a raw byte pipe, shared by every link kind.
 *
 * - Every RELOAD message (or fragment) goes out as one FramedMessage `data` with the next
 *   sequence number of this connection ("Initially, the value is zero, and it increments by
 *   exactly one for each message sent over that connection").
 * - Every received `data` frame is acked at once ("When the receiver receives a message, it SHOULD
 *   immediately send an ACK"), with the `received` bitmask of `received-window.ts`. The RFC's "the
 *   N-M bit" leaves the bit numbering open; OUR READING: bit k is the bit of value 2^k (LSB = bit
 *   0) and stands for sequence N−k, so bits 1..31 can be set and bit 0 is always 0.
 * - Acks give RTT samples and an RFC 6298 RTO (§6.6.3.1 "the sender can compute the RTT for that
 *   message by looking at the time the ACK was received and the time when the message was sent").
 * - Liveness, as §6.6.5 prescribes for reliable transports ("the Overlay Link implementation MUST
 *   use the framing header to measure the RTT of the connection and calculate an RTO ... The
 *   resulting RTO is not used for retransmissions, but rather as a timeout to indicate when the
 *   link SHOULD be removed from the Routing Table"), with the probe schedule of §6.6.3.1 ("observe
 *   when no ACKs have been received for an entire RTO interval, and then wait for three
 *   retransmissions to occur beyond that point. If no ACKs have been received by the time the third
 *   retransmission occurs, it is RECOMMENDED that the link be removed from the Routing Table"):
 *   while a frame is unacknowledged, probes go out at RTO, 3·RTO and 7·RTO of silence (the wait
 *   doubles each time); at the third the link becomes `suspect`; any ack makes it `open` again;
 *   after `failureTimeoutMs` of silence it closes as `dead` (§6.6.5: "It is RECOMMENDED that such
 *   a connection be retained for 30 seconds to determine if the failure was transient").
 *
 * OUR CHOICE: a probe is a `data` frame with an empty message (`opaque message<0..2^24-1>` allows
 * it). The receiver acks it like any frame and delivers nothing, since no RELOAD message is empty.
 * Probes matter only on a lossy pipe (a lost frame would otherwise leave the link waiting for an
 * ack that never comes) and on idle links when `keepaliveIntervalMs` is set.
 *
 * OUR CHOICE: a keepalive probe goes out only when the link has been idle both ways: nothing sent
 * and no `data` frame received. A frame from the other end is as good a sign of life as the ack of
 * our own probe. The end that opened the link (`opener`: dialed, or sent the offer) probes after
 * OPENER_KEEPALIVE_SHARE of `keepaliveIntervalMs`, the other after all of it, so the other end hears
 * the opener's probe first and of two idle ends only the opener probes (equal intervals would tie
 * for ever: both probe at once, both hear the other at once). Each end still finds a silent peer
 * within keepalive + failure timeout of its last frame.
 *
 * Beside it: message-delivery.ts (the listeners, and messages kept until one subscribes; FramedLink
 * extends it) and sent-times.ts (the send times the RTT samples come from).
 *
 * OUR CHOICE: no hop-by-hop retransmission (§6.6.3 Simple Reliability is for unreliable transports;
 * all our links are reliable ordered channels). A frame lost by a lossy simulated pipe is lost for
 * good and the end-to-end retransmission of message transport (§6.2.1) recovers the request.
 */
import type { Clock, Logger, Timer } from '../runtime/components.js';
import { silentLogger } from '../runtime/components.js';
import { StateMachine } from '../runtime/state-machine.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { DATA_FRAME_HEADER_SIZE, FramedMessageType, MAX_FRAMED_MESSAGE_SIZE, decodeFramedMessage, encodeAckFrame, encodeDataFrame, frameSequence, plainFrameType } from '../wire/framing.js';
import { AckWaiters } from './ack-waiters.js';
import { LATE_CHECK_GRACE_MS, LATE_CHECK_MS } from './late-check.js';
import type { BytePipe, BytePipeHandlers } from './byte-pipe.js';
import type { Link, LinkCloseReason, LinkState, LinkStateListener } from './link.js';
import { linkTransitions } from './link-state.js';
import { MessageDelivery } from './message-delivery.js';
import { ReceivedWindow, sequenceDistance } from './received-window.js';
import { RttEstimator, type RttEstimatorInit } from './rtt-estimator.js';
import { recordSend, sendTime, takeSendTime, type SentTimes } from './sent-times.js';

/** Bytes a `data` frame adds to its message: type (1), sequence (4), message length (3). */
export const DATA_FRAME_OVERHEAD = DATA_FRAME_HEADER_SIZE;
/** §6.6.3.1: the third unanswered "retransmission" (here: probe) makes the link suspect. */
export const DEFAULT_SUSPECT_AFTER_PROBES = 3;
/** §6.6.5: "It is RECOMMENDED that such a connection be retained for 30 seconds". */
export const DEFAULT_FAILURE_TIMEOUT_MS = 30_000;
/** The share of `keepaliveIntervalMs` after which the end that opened an idle link probes it. */
export const OPENER_KEEPALIVE_SHARE = 0.75;
/** The transition check and error messages of every link's state machine share one name. */
const MACHINE_NAME = 'link';

export interface FramedLinkDeps {
  readonly clock: Clock;
  readonly logger?: Logger;
}

export interface FramedLinkInit {
  /** Link id for logs; default `framed-<n>`. */
  readonly id?: string;
  readonly remoteAddress: string;
  readonly rtt?: RttEstimatorInit;
  /** Unanswered probes before `suspect`; default 3. */
  readonly suspectAfterProbes?: number;
  /** Silence (ms, no ack while frames are outstanding) after which the link closes as dead; default 30 000. */
  readonly failureTimeoutMs?: number;
  /** Probe an idle link after this many ms with nothing sent or received; default: no keepalive. */
  readonly keepaliveIntervalMs?: number;
  /** This end opened the link (dialed it, or made the WebRTC offer): it probes an idle link first. */
  readonly opener?: boolean;
}

/** Counters of one link (for the simulator's traffic figures). */
export interface FramedLinkStats {
  readonly dataFramesSent: number;
  readonly acksSent: number;
  readonly probesSent: number;
  readonly bytesSent: number;
  readonly dataFramesReceived: number;
  readonly acksReceived: number;
  readonly bytesReceived: number;
}

let linkCounter = 0;
/** A probe's message: empty (the frame is made from it, so one array serves every probe). */
const PROBE_MESSAGE = new Uint8Array(0);

/**
 * The pipe's receive handlers of one link: a small object with two methods instead of two
 * closures and their context (a simulator holds hundreds of thousands of links).
 */
class PipeHandlers implements BytePipeHandlers {
  constructor(private readonly link: FramedLink) {}

  message(bytes: Uint8Array): void {
    this.link.receiveFrame(bytes);
  }

  closed(): void {
    this.link.pipeClosed();
  }
}

export class FramedLink extends MessageDelivery implements Link {
  readonly id: string;
  readonly remoteAddress: string;
  readonly maxMessageSize: number;
  private readonly clock: Clock;
  protected readonly log: Logger;
  /** The link's state and its state listeners (LinkStateListener is a StateChangeListener). */
  private readonly machine: StateMachine<LinkState, LinkCloseReason>;
  private readonly rttEstimator: RttEstimator;
  private readonly received = new ReceivedWindow();
  private readonly suspectAfterProbes: number;
  private readonly failureTimeoutMs: number;
  /** Idle time (nothing sent or heard) before a keepalive probe: the configured interval, × OPENER_KEEPALIVE_SHARE at the opener. */
  private readonly keepaliveIntervalMs: number | undefined;
  private closeReason: LinkCloseReason | undefined;

  private nextSequence = 0;
  /** Send times of recent frames not yet acked (sent-times.ts). */
  private sentAt: SentTimes;
  private highestAcked: number | undefined;
  /** Send time of the oldest frame not yet covered by an ack; undefined when all are covered. */
  private firstUnackedAt: number | undefined;
  /** When the last ack arrived; the creation until then (same silence from `firstUnackedAt`; a time, not −∞, stays a small integer, not a boxed double). */
  private lastAckAt: number;
  private lastSendAt: number;
  /** When the last `data` frame (a message or a probe) arrived: the other end was alive then (the link's creation until then; keepalive, heardWithin). */
  private lastHeardAt: number;
  private probesSinceAck = 0;
  /** Callers of probe() waiting for an ack; made at the first call. */
  private ackWaiters: AckWaiters | undefined;
  private checkTimer: Timer | undefined;
  /** The liveness timer's callback, made once (the timer is re-armed on many sends); bound, so no closure context per link. */
  private readonly onCheck: () => void = this.check.bind(this);
  /** When `checkTimer` fires (meaningless while there is none). */
  private checkDue = 0;
  /** Of the silence since `firstUnackedAt` / `lastAckAt`, the time this end was not running (LATE_CHECK_MS): not counted. */
  private pausedMs = 0;
  private dataFramesSent = 0;
  private acksSent = 0;
  private probesSent = 0;
  private bytesSent = 0;
  private dataFramesReceived = 0;
  private acksReceived = 0;
  private bytesReceived = 0;

  constructor(
    deps: FramedLinkDeps,
    private readonly pipe: BytePipe,
    init: FramedLinkInit,
  ) {
    super();
    this.clock = deps.clock;
    this.log = deps.logger ?? silentLogger;
    this.id = init.id ?? `framed-${++linkCounter}`;
    this.remoteAddress = init.remoteAddress;
    this.maxMessageSize = Math.min(MAX_FRAMED_MESSAGE_SIZE, pipe.maxMessageSize - DATA_FRAME_OVERHEAD);
    if (this.maxMessageSize < 1) throw new RangeError(`pipe of ${pipe.maxMessageSize} bytes cannot carry a framed message`);
    this.rttEstimator = new RttEstimator(init.rtt);
    this.suspectAfterProbes = init.suspectAfterProbes ?? DEFAULT_SUSPECT_AFTER_PROBES;
    this.failureTimeoutMs = init.failureTimeoutMs ?? DEFAULT_FAILURE_TIMEOUT_MS;
    this.keepaliveIntervalMs = init.keepaliveIntervalMs === undefined || !init.opener ? init.keepaliveIntervalMs : init.keepaliveIntervalMs * OPENER_KEEPALIVE_SHARE;
    this.lastSendAt = this.lastAckAt = this.lastHeardAt = this.clock.now();
    this.machine = new StateMachine<LinkState, LinkCloseReason>(MACHINE_NAME, linkTransitions, 'open');
    pipe.setHandlers(new PipeHandlers(this));
    if (this.keepaliveIntervalMs !== undefined) this.armCheck(this.clock.now() + this.keepaliveIntervalMs);
  }

  get state(): LinkState {
    return this.machine.state;
  }

  get rtt(): number | undefined {
    return this.rttEstimator.rtt;
  }

  get rto(): number {
    return this.rttEstimator.rto;
  }

  stats(): FramedLinkStats {
    const { dataFramesSent, acksSent, probesSent, bytesSent, dataFramesReceived, acksReceived, bytesReceived } = this;
    return { dataFramesSent, acksSent, probesSent, bytesSent, dataFramesReceived, acksReceived, bytesReceived };
  }

  send(message: Uint8Array): boolean {
    if (this.state === 'closed' || message.length === 0 || message.length > this.maxMessageSize) return false;
    this.sendData(message);
    return true;
  }

  close(): void {
    this.shut('local', true);
  }

  /** Link.probe: a probe now (as the liveness schedule sends them), answered by its ack or a later one. */
  probe(timeoutMs: number): Promise<boolean> {
    if (this.state === 'closed') return Promise.resolve(false);
    const sequence = this.nextSequence;
    this.sendData(PROBE_MESSAGE);
    return (this.ackWaiters ??= new AckWaiters(this.clock)).wait(sequence, timeoutMs);
  }

  /** Link.heardWithin: a frame heard, and no frame of ours unacked, within `ms` (time this end was not running not counted). */
  heardWithin(ms: number): boolean {
    if (this.state !== 'open') return false;
    const now = this.clock.now();
    if (this.firstUnackedAt !== undefined && now - Math.max(this.firstUnackedAt, this.lastAckAt) - this.pausedMs > ms) return false;
    return now - Math.max(this.lastHeardAt, this.lastAckAt) <= ms;
  }

  onStateChange(listener: LinkStateListener): () => void {
    return this.machine.subscribe(listener);
  }

  /** @internal A frame from the pipe (PipeHandlers). */
  receiveFrame(bytes: Uint8Array): void {
    this.onFrame(bytes);
  }

  /** @internal The pipe closed under us (PipeHandlers). */
  pipeClosed(): void {
    this.shut('remote', false);
  }

  /** Move the state machine (style.md §6), logging the change; it tells the listeners. */
  private transition(to: LinkState): void {
    this.log.debug('link state', { link: this.id, from: this.machine.state, to, reason: this.closeReason });
    this.machine.transition(to, to === 'closed' ? this.closeReason : undefined);
  }

  private sendData(message: Uint8Array): void {
    const now = this.clock.now();
    const sequence = this.nextSequence;
    this.nextSequence = (this.nextSequence + 1) >>> 0;
    const frame = encodeDataFrame(sequence, message);
    this.sentAt = recordSend(this.sentAt, sequence, now);
    if (this.firstUnackedAt === undefined) {
      this.firstUnackedAt = now;
      this.pausedMs = 0;
    }
    this.lastSendAt = now;
    this.dataFramesSent++;
    if (message.length === 0) this.probesSent++;
    this.bytesSent += frame.length;
    this.pipe.send(frame);
    this.armCheck(now + this.rto);
  }

  private onFrame(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.bytesReceived += bytes.length;
    // Read in place (the pipe hands the received bytes over, byte-pipe.ts): no decoded object per frame.
    const type = plainFrameType(bytes);
    if (type === FramedMessageType.ack) {
      this.acksReceived++;
      this.onAck(frameSequence(bytes));
    } else if (type === FramedMessageType.data) this.onData(frameSequence(bytes), bytes);
    else this.badFrame(bytes);
  }

  /** A `data` frame: ack it (§6.6.2 "SHOULD immediately send an ACK"), then hand its message up. */
  private onData(sequence: number, frame: Uint8Array): void {
    this.dataFramesReceived++;
    this.lastHeardAt = this.clock.now();
    const received = this.received.receive(sequence);
    const ack = encodeAckFrame(sequence, received);
    this.acksSent++;
    this.bytesSent += ack.length;
    this.pipe.send(ack);
    if (frame.length === DATA_FRAME_OVERHEAD) return; // a liveness probe
    // The message is a view of the frame, which the pipe handed over.
    this.deliver(frame.subarray(DATA_FRAME_OVERHEAD));
  }

  /** Bytes that are not a FramedMessage: close the link, logging the decoder's error. */
  private badFrame(bytes: Uint8Array): void {
    let error = 'not a FramedMessage';
    try {
      decodeFramedMessage(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      error = e.message;
    }
    this.log.warn('bad frame; closing link', { link: this.id, error });
    this.shut('protocol-error', true);
  }

  private onAck(ackSequence: number): void {
    // An ack for a frame we never sent tells us nothing.
    const lastSentSequence = (this.nextSequence - 1) >>> 0;
    if (this.dataFramesSent === 0 || sequenceDistance(ackSequence, lastSentSequence) > 0) return;
    const now = this.clock.now();
    const sentAt = takeSendTime(this.sentAt, ackSequence);
    if (this.sentAt?.length === 0) this.sentAt = undefined;
    // Not across a time this end was not running (LATE_CHECK_MS): that sample would measure the block, not the link.
    if (sentAt !== undefined && this.pausedMs === 0) this.rttEstimator.sample(now - sentAt);
    this.lastAckAt = now;
    this.pausedMs = 0;
    this.probesSinceAck = 0;
    if (this.highestAcked === undefined || sequenceDistance(ackSequence, this.highestAcked) > 0) this.highestAcked = ackSequence;
    // Every frame up to the highest ack was received or is lost for good: only later ones are outstanding.
    if (sequenceDistance(lastSentSequence, this.highestAcked) <= 0) this.firstUnackedAt = undefined;
    else this.firstUnackedAt = sendTime(this.sentAt, (this.highestAcked + 1) >>> 0) ?? now;
    if (this.state === 'suspect') this.transition('open');
    this.ackWaiters?.acked(ackSequence);
  }

  private armCheck(at: number): void {
    if (this.state === 'closed') return;
    if (this.checkTimer && this.checkDue <= at) return;
    this.checkTimer?.cancel();
    const now = this.clock.now();
    // When it should run: `at`, or now for a time already past (how late it ran is measured from here).
    this.checkDue = Math.max(at, now);
    this.checkTimer = this.clock.setTimer(this.checkDue - now, this.onCheck);
  }

  /** The liveness timer: probes, suspect, dead, keepalive (see the file comment). */
  private check(): void {
    const now = this.clock.now();
    const late = now - this.checkDue;
    this.checkTimer = undefined;
    this.checkDue = 0;
    if (this.state === 'closed') return;
    if (this.firstUnackedAt !== undefined) {
      if (late >= LATE_CHECK_MS) {
        // This end was not running for `late` ms (LATE_CHECK_MS): not the peer's silence; judge once input has been read.
        this.pausedMs += late;
        this.armCheck(now + LATE_CHECK_GRACE_MS);
        return;
      }
      const silentSince = Math.max(this.firstUnackedAt, this.lastAckAt) + this.pausedMs;
      const silence = now - silentSince;
      if (silence >= this.failureTimeoutMs) {
        this.log.info('link dead: no ack', { link: this.id, silenceMs: silence });
        this.shut('dead', true);
        return;
      }
      if (now >= this.probeDueAt(silentSince, this.probesSinceAck + 1)) {
        this.probesSinceAck++;
        this.sendData(PROBE_MESSAGE);
        if (this.probesSinceAck >= this.suspectAfterProbes && this.state === 'open') this.transition('suspect');
      }
      this.armCheck(Math.min(this.probeDueAt(silentSince, this.probesSinceAck + 1), silentSince + this.failureTimeoutMs));
      return;
    }
    if (this.keepaliveIntervalMs !== undefined) {
      const idleSince = Math.max(this.lastSendAt, this.lastHeardAt);
      if (now - idleSince >= this.keepaliveIntervalMs) this.sendData(PROBE_MESSAGE);
      else this.armCheck(idleSince + this.keepaliveIntervalMs);
    }
  }

  /** Probe n (1-based) is due after RTO·(2^n − 1) of silence: the wait doubles each time. */
  private probeDueAt(silentSince: number, n: number): number {
    return silentSince + this.rto * (2 ** n - 1);
  }

  private shut(reason: LinkCloseReason, closePipe: boolean): void {
    if (this.state === 'closed') return;
    this.closeReason = reason;
    this.checkTimer?.cancel();
    this.checkTimer = undefined;
    if (closePipe) this.pipe.close();
    this.sentAt = undefined;
    this.dropEarly();
    this.ackWaiters?.closeAll();
    this.transition('closed');
  }
}

