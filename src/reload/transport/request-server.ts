/**
 * The server side of message transport (RFC 6940 §6.2, §6.3): requests addressed to this node. Each
 * is verified (§6.3.4), recognised when it is a retransmission (§6.2.1: the same answer again, from
 * the AnswerCache), checked as its destination must (request-checks.ts), handed to the handler
 * registered for its message code, and answered, with an error answer (§6.3.3.1) when a check or
 * the handler fails. A handler gets the maximum request lifetime to answer (RequestLifetimes).
 * message-transport.ts admits requests under the flood bounds (KeyedLimiter) and calls `process`.
 */
import { AbortError, logsDebug, type Clock, type Logger } from '../runtime/components.js';
import { always, isPending, proceed, type MaybePromise } from '../runtime/maybe-promise.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { VerifiedSigner } from '../security/signer.js';
import { nodeIdKey, type Forwarding, type InboundMessage } from '../forwarding/index.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { encodeWith } from '../wire/codec/writer.js';
import { encodeWithForwardingHeader } from '../wire/forwarded-message.js';
import type { NodeId } from '../wire/ids.js';
import { decodeMessageBody, encodeMessageBody, type BodyContext, type MessageBody } from '../wire/message-body.js';
import { answerCodeFor, ErrorCode, MessageCode, messageCodeName } from '../wire/message-codes.js';
import { answerForUnknownMessageCode } from '../wire/message-contents.js';
import { UnknownKindError } from '../wire/storage/data-model.js';
import { AnswerCache, answerCacheKey, MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';
import { answerDestinationList, answerHeader } from './answer-header.js';
import type { KeyedLimiter } from './keyed-limiter.js';
import type { MessageParts } from './message-parts.js';
import { errorReply, NO_EXTENSIONS, utf8, type EncodedReply, type MessageSealer } from './message-sealer.js';
import { checkRequestAtDestination } from './request-checks.js';
import { RequestLifetimes, type Expiring } from './request-lifetime.js';
import { guardedUnsent, type IncomingRequest, type Reply, type RequestHandler, type RequestName } from './request-types.js';
import type { TransportInit } from './transport-types.js';

type AnyHandler = (request: IncomingRequest) => MaybePromise<Reply>;

/** The counters of TransportStats this side keeps (message-transport.ts owns the object). */
export interface ServerCounters {
  requestsHandled: number;
  droppedOther: number;
}

export interface RequestServerInit {
  readonly clock: Clock;
  readonly log: Logger;
  readonly localNodeId: NodeId;
  readonly forwarding: Forwarding;
  readonly sealer: MessageSealer;
  readonly inbound: KeyedLimiter;
  readonly bodyContext: BodyContext;
  readonly understoodExtensions: ReadonlySet<number>;
  readonly understoodOptions: ReadonlySet<number>;
  readonly answerCacheSize: number;
  readonly onStaleConfiguration: TransportInit['onStaleConfiguration'];
  readonly unknownKindError: TransportInit['unknownKindError'];
  readonly counters: ServerCounters;
  /** §6.3.4: the verified signer of a message for this node (throws or rejects when its signature does not verify). */
  readonly verify: (msg: InboundMessage, parsed: MessageParts) => MaybePromise<VerifiedSigner>;
  /** §6.3.4: "the implementation SHOULD simply drop the message and MUST NOT process it" (and reports it). */
  readonly verificationFailed: (msg: InboundMessage, parsed: MessageParts, e: unknown) => void;
  readonly closed: () => boolean;
}

export class RequestServer {
  /** Each answer is logged (debug): only when the logger keeps debug entries (logsDebug), never on the simulator's hot path. */
  private readonly traced: boolean;
  private readonly handlers = new Map<number, AnyHandler>();
  private readonly answers: AnswerCache;
  private readonly lifetimes: RequestLifetimes<InboundRequest>;

  constructor(private readonly init: RequestServerInit) {
    this.traced = logsDebug(init.log);
    this.answers = new AnswerCache(init.answerCacheSize, MAX_REQUEST_LIFETIME_MS, init.clock);
    this.lifetimes = new RequestLifetimes<InboundRequest>(init.clock, (r) => this.requestExpired(r));
  }

  /** Answers kept for retransmitted requests (TransportStats.answerCacheEntries). */
  get answerCacheEntries(): number {
    return this.answers.size;
  }

  handle<K extends RequestName>(name: K, handler: RequestHandler<K>): () => void {
    const code = MessageCode[name];
    if (this.handlers.has(code)) throw new Error(`a handler for ${name} is already registered`);
    const h = handler as unknown as AnyHandler;
    this.handlers.set(code, h);
    return () => {
      if (this.handlers.get(code) === h) this.handlers.delete(code);
    };
  }

  close(): void {
    this.answers.clear();
    this.lifetimes.clear();
  }

  /**
   * A request admitted under the bound for `neighbour` (released here, or when its lifetime ends).
   * Each step goes on at once when the one before has its value at hand (MaybePromise: a verifier
   * that answers without waiting, a handler that needs no I/O, a signer): then the answer is sent
   * within this call, and waits happen only where a step really waits.
   */
  process(msg: InboundMessage, parsed: MessageParts, neighbour: string): MaybePromise<void> {
    const received: Received = { msg, parsed, neighbour };
    return proceed(this, received, this.verifySender, this.verified, this.notVerified);
  }

  /** §6.3.4: the verified signer of the request (throws or rejects when its signature does not verify). */
  private verifySender(received: Received): MaybePromise<VerifiedSigner> {
    return this.init.verify(received.msg, received.parsed);
  }

  /** §6.3.4: a request whose signature does not verify is dropped (and reported); its slot is freed. */
  private notVerified(received: Received, e: unknown): void {
    try {
      this.init.verificationFailed(received.msg, received.parsed, e);
    } finally {
      this.init.inbound.release(received.neighbour);
    }
  }

  /** A request from `sender` (verified): answered again from the cache, or handled and answered. */
  private verified(received: Received, sender: VerifiedSigner): MaybePromise<void> {
    let request: InboundRequest | undefined;
    try {
      request = this.begin(received, sender);
    } finally {
      if (!request) this.init.inbound.release(received.neighbour);
    }
    if (!request) return;
    return always(this, request, this.answer, this.end);
  }

  /**
   * The request as the answer cache knows it (§6.2.1): a retransmission is answered again (or, its
   * answer being made, dropped), and undefined returned; undefined too when the transport is
   * closed; else a request in progress, watched for its lifetime.
   */
  private begin(received: Received, sender: VerifiedSigner): InboundRequest | undefined {
    if (this.init.closed()) return undefined;
    const { clock, forwarding, localNodeId } = this.init;
    const { msg, parsed, neighbour } = received;
    const { header, from } = msg;
    const now = clock.now();
    const cacheKey = answerCacheKey(header.transactionId, sender.nodeId);
    const known = this.answers.lookup(cacheKey, now);
    if (known?.state === 'in-progress') return undefined;
    if (known?.state === 'answered') {
      // §6.2.1: the same answer again, under a header for the path this retransmission took.
      forwarding.send(encodeWithForwardingHeader(answerHeader(header, from, localNodeId, forwarding.parameters), known.payload));
      return undefined;
    }
    this.answers.begin(cacheKey, now);
    // A handler gets the maximum request lifetime (§6.2.1: 15 s) to answer; after that its
    // requester has given up, so the request is dropped and its slot freed (a stuck handler
    // cannot hold the flood bounds forever): `requestExpired`.
    const request: InboundRequest = { deadline: now + MAX_REQUEST_LIFETIME_MS, cacheKey, neighbour, msg, parsed, sender, started: now, answer: undefined, expired: false, older: undefined, newer: undefined, watched: false };
    this.lifetimes.add(request);
    return request;
  }

  /** The request is over (answered, dropped, or failed): its slot is freed, unless its lifetime ended first (`requestExpired` freed it). */
  private end(request: InboundRequest): void {
    if (request.expired) return;
    this.lifetimes.remove(request);
    this.init.inbound.release(request.neighbour);
  }

  /** Run the handler (`dispatch`) and send its answer, or the error answer for what it threw (§6.3.3.1). */
  private answer(request: InboundRequest): MaybePromise<void> {
    return proceed(this, request, this.dispatch, this.reply, this.notDispatched);
  }

  /** `dispatch` threw or rejected with `e`: the error answer for it is sent, or none. */
  private notDispatched(request: InboundRequest, e: unknown): MaybePromise<void> {
    // The 'answering' line names only the error answer's code; why it was refused goes here.
    if (this.traced && !(e instanceof NoAnswer)) this.init.log.debug('refused', { transactionId: request.msg.header.transactionId.toString(), error: String(e) });
    return this.reply(request, this.failureReply(request, e));
  }

  /** What `dispatch` threw comes to: an error answer, or none (undefined: no answer at all, or the request's lifetime ended). */
  private failureReply(request: InboundRequest, e: unknown): EncodedReply | undefined {
    if (request.expired) return undefined;
    if (e instanceof NoAnswer) {
      this.answers.forget(request.cacheKey);
      this.init.counters.droppedOther++;
      return undefined;
    }
    return errorReply(e, this.init.log);
  }

  /** Send `reply` (if any), unless the request's lifetime ended first; the answer cache keeps what went out. */
  private reply(request: InboundRequest, reply: EncodedReply | undefined): MaybePromise<void> {
    if (!reply) return;
    if (request.expired) {
      reply.unsent?.(new AbortError('the request lifetime ended before its answer (RFC 6940 §6.2.1)'));
      return;
    }
    this.lifetimes.remove(request);
    const { msg, parsed, sender } = request;
    const { header, from } = msg;
    if (this.traced) this.init.log.debug('answering', { method: messageCodeName(parsed.contents.messageCode), transactionId: header.transactionId.toString(), requester: nodeIdKey(sender.nodeId), ...(from ? { from: nodeIdKey(from) } : {}), answer: messageCodeName(reply.code), ms: this.init.clock.now() - request.started });
    request.answer = reply;
    return proceed(this, request, this.sendAnswer, this.sent, this.notSent);
  }

  /** Sign and send the request's answer (MessageSealer.sendAnswer): its signed payload, or undefined when it did not go out. */
  private sendAnswer(request: InboundRequest): MaybePromise<Uint8Array | undefined> {
    // Set by reply, the one caller, before it calls this.
    return this.init.sealer.sendAnswer(request.msg.header, request.msg.from, request.answer!);
  }

  /** The answer cache keeps the answer's signed payload (§6.2.1), or forgets a request whose answer did not go out. */
  private sent(request: InboundRequest, payload: Uint8Array | undefined): void {
    if (payload) this.answers.answered(request.cacheKey, this.init.clock.now(), payload);
    else this.answers.forget(request.cacheKey);
  }

  /**
   * Sending the answer failed (`e`: a signer that threw something not a ReloadError, an error
   * answer that could not be sealed, forwarding that threw): the request is forgotten, so that its
   * retransmission is processed anew and answered. Kept "in progress", every retransmission would
   * be dropped for the cache's whole lifetime, against RFC 6940 §6.2.1: "Receiving nodes MUST
   * generate semantically equivalent responses to retransmissions of the same request". `e` goes
   * on to the transport's failure report.
   */
  private notSent(request: InboundRequest, e: unknown): never {
    this.answers.forget(request.cacheKey);
    throw e;
  }

  /** RequestLifetimes: a handler did not answer within the request lifetime; its answer, if it ever comes, is dropped. */
  private requestExpired(request: InboundRequest): void {
    request.expired = true;
    if (this.traced) this.init.log.debug('request expired unanswered', { requester: request.neighbour });
    this.answers.forget(request.cacheKey);
    this.init.counters.droppedOther++;
    this.init.inbound.release(request.neighbour);
  }

  /** Run the checks of a destination node, then the handler; throws ReloadError for an error answer. */
  private dispatch(request: InboundRequest): MaybePromise<EncodedReply> {
    const { msg, parsed, sender } = request;
    const { header } = msg;
    const { messageCode, messageBody, extensions } = parsed.contents;
    const { bodyContext } = this.init;
    const problem = checkRequestAtDestination(header, parsed.contents, this.init.forwarding.parameters, this.init.understoodOptions, this.init.understoodExtensions);
    if (problem) {
      if (problem.code === ErrorCode.Error_Config_Too_Old) this.init.onStaleConfiguration?.(sender, header.configurationSequence, answerDestinationList(header.viaList, msg.from, this.init.localNodeId));
      throw problem;
    }
    const handler = this.handlers.get(messageCode);
    if (!handler) {
      const verdict = answerForUnknownMessageCode(messageCode);
      const name = messageCodeName(messageCode);
      if (verdict.answer === 'error') throw new ReloadError(verdict.errorCode, utf8(`this node does not implement ${name ?? `message code 0x${messageCode.toString(16)}`}`));
      throw new NoAnswer();
    }
    let body: MessageBody;
    try {
      body = decodeMessageBody(messageCode, messageBody, bodyContext, 0, true);
    } catch (e) {
      if (e instanceof UnknownKindError) {
        if (this.init.unknownKindError) throw this.init.unknownKindError(e.kindIds);
        // §7.4.1.2: error_info is `KindId unknown_kinds<0..2^8-1>`.
        throw new ReloadError(ErrorCode.Error_Unknown_Kind, encodeWith((w) => w.prefixed(1, () => e.kindIds.forEach((k) => w.u32(k)), 'unknown_kinds')));
      }
      if (e instanceof DecodeError) throw ReloadError.of('Error_Invalid_Message', e.message);
      throw e;
    }
    if (body.name === 'unknown' || body.name === 'error') throw ReloadError.of('Error_Invalid_Message', 'not a request body');
    this.init.counters.requestsHandled++;
    const incoming = { name: body.name, value: body.value, extensions, sender, header, from: msg.from, certificates: parsed.securityBlock.certificates } as IncomingRequest;
    const result = handler(incoming);
    return isPending(result) ? result.then((r) => this.encodeAnswer(messageCode, r)) : this.encodeAnswer(messageCode, result);
  }

  /** The handler's Reply to a request of `messageCode`, encoded as its answer. */
  private encodeAnswer(messageCode: number, result: Reply): EncodedReply {
    // Every call of the handler's unsent, here and on (message-sealer.ts, `reply`), goes through the guard.
    const unsent = result.unsent === undefined ? undefined : guardedUnsent(result.unsent, this.init.log);
    let encoded: { code: number; bytes: Uint8Array };
    try {
      const answerName = messageCodeName(answerCodeFor(messageCode));
      if (!answerName) throw new Error(`no answer code for 0x${messageCode.toString(16)}`);
      encoded = encodeMessageBody({ name: answerName, value: result.value } as MessageBody, this.init.bodyContext);
    } catch (e) {
      unsent?.(e);
      throw e;
    }
    return { code: encoded.code, body: encoded.bytes, extensions: result.extensions ?? NO_EXTENSIONS, certificates: result.certificates, unsent };
  }
}

/** A request admitted under the inbound bounds, its signature not yet verified. */
interface Received {
  readonly msg: InboundMessage;
  readonly parsed: MessageParts;
  /** The inbound bound it counts against (KeyedLimiter). */
  readonly neighbour: string;
}

/** A received request whose handler is running (RequestLifetimes watches its deadline). */
interface InboundRequest extends Received, Expiring {
  readonly deadline: number;
  readonly cacheKey: string;
  readonly sender: VerifiedSigner;
  /** When it began (clock.now()), for the log. */
  readonly started: number;
  /** The answer being sent (set when it is). */
  answer: EncodedReply | undefined;
  /** Its lifetime ended before the handler answered: dropped, its slot already freed. */
  expired: boolean;
}

/** Internal: the request gets no answer at all (answerForUnknownMessageCode 'none'). */
class NoAnswer extends Error {
  override readonly name: string = 'NoAnswer';
}
