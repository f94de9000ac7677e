/**
 * Message transport (RFC 6940 §1.2.2, §6.2, §6.3): requests with end-to-end retransmission and
 * timeout, handlers per message code, error answers (§6.3.3.1), signing of every message this node
 * originates and verification of every message addressed to it (§6.3.4); requests for this node are
 * served by request-server.ts, answers to ours go to their ClientTransaction. Storage and the topology
 * plug-in are its clients: they call `request` and register handlers with `handle`; transport
 * never imports them. Below it, forwarding routes the bytes and calls back through
 * ForwardingDelegate.
 */
import type { Clock, Logger, Random } from '../runtime/components.js';
import { AbortError, logsDebug, silentLogger } from '../runtime/components.js';
import { ErrorAnswer, ReloadError } from '../runtime/reload-error.js';
import { isPending, type MaybePromise } from '../runtime/maybe-promise.js';
import type { Signer, VerifiedSigner } from '../security/signer.js';
import type { Forwarding, ForwardingDelegate, InboundMessage, RoutingFailure, SendResult } from '../forwarding/index.js';
import { nodeIdKey } from '../forwarding/index.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { Destination } from '../wire/destination.js';
import { RELOAD_VERSION, UNFRAGMENTED, forwardingHeaderSize, fragmentOffset, type ForwardingHeader } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';
import { decodeMessageBody, defaultBodyContext, encodeMessageBody, type BodyContext, type KnownBodyName, type MessageBody } from '../wire/message-body.js';
import { answerCodeFor, isRequestCode, MessageCode, messageCodeName } from '../wire/message-codes.js';
import { checkCriticalExtensions, type MessageContents } from '../wire/message-contents.js';
import type { Signature } from '../wire/security-block.js';
import { NO_DESTINATIONS } from './answer-header.js';
import { KeyedLimiter } from './keyed-limiter.js';
import { parseMessageParts, type MessageParts } from './message-parts.js';
import { TransportOverloadError, type MessageTransport, type ResponderCheck, type TransportDeps, type TransportInit, type TransportStats } from './transport-types.js';
import { ClientTransaction, MAX_TRANSMISSIONS, type ClientTransactionInit, type ClientTransactionOwner } from './client-transaction.js';
import { MessageVerification, mayAnswer, originatorOf, type Answering } from './message-security.js';
import { MessageSealer, NO_EXTENSIONS, type EncodingHeader } from './message-sealer.js';
import { RequestServer } from './request-server.js';
import type { Answer, AnswerNameFor, RequestBody, RequestHandler, RequestName, RequestOptions } from './request-types.js';

export { TransportOverloadError, type MessageTransport, type ResponderCheck, type SecurityFailure, type TransportDeps, type TransportInit, type TransportStats } from './transport-types.js';

export { originatorOf } from './message-security.js';

export function createMessageTransport(deps: TransportDeps, init: TransportInit = {}): MessageTransport {
  return new Transport(deps, init);
}

/** No forwarding options (read-only: one frozen array). */
const NO_FORWARDING_OPTIONS: ForwardingHeader['options'] = Object.freeze([]);

/** `request`'s options when none are given (read-only: one frozen object, not a new one per request). */
const NO_REQUEST_OPTIONS: RequestOptions = Object.freeze({});

/** Where newTransactionId reads its eight random bytes as one uint64 (no DataView per request). */
const TRANSACTION_ID_BYTES = new Uint8Array(8);
const TRANSACTION_ID_VIEW = new DataView(TRANSACTION_ID_BYTES.buffer);

type AnyAnswer = Answer<KnownBodyName>;


class Transport implements MessageTransport, ForwardingDelegate, ClientTransactionOwner<AnyAnswer> {
  readonly localNodeId: NodeId;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly signer: Signer;
  private readonly forwarding: Forwarding;
  private readonly log: Logger;
  /** Each request's transmissions and end are logged (debug): only when the logger keeps debug entries (logsDebug), never on the simulator's hot path. */
  private readonly traced: boolean;
  private readonly bodyContext: BodyContext;
  private readonly understoodExtensions: ReadonlySet<number>;
  private readonly maxPending: number;
  private readonly maxTransmissions: number;
  private readonly onSecurityFailure: TransportInit['onSecurityFailure'];
  private readonly verification: MessageVerification;
  private readonly sealer: MessageSealer;
  private readonly pending = new Map<bigint, ClientTransaction<AnyAnswer>>();
  private readonly inbound: KeyedLimiter;
  private readonly server: RequestServer;
  private responderCheck: ResponderCheck | undefined;
  private closed = false;
  /** `deliver`'s catch handler, made once (it is on every message's path). */
  private readonly onMessageFailed = (e: unknown) => this.log.error('failed to process a message', { error: String(e) });
  private counters = {
    requestsSent: 0,
    retransmissions: 0,
    answersAccepted: 0,
    requestsHandled: 0,
    errorAnswersSent: 0,
    droppedBadSignature: 0,
    droppedOther: 0,
  };

  constructor(deps: TransportDeps, init: TransportInit) {
    this.clock = deps.clock;
    this.random = deps.random;
    this.signer = deps.signer;
    this.forwarding = deps.forwarding;
    this.log = deps.logger ?? silentLogger;
    this.traced = logsDebug(this.log);
    this.localNodeId = deps.forwarding.localNodeId;
    if (!bytesEqual(deps.signer.nodeId, this.localNodeId)) throw new Error('the signer and forwarding must be for the same Node-ID');
    this.bodyContext = init.bodyContext ?? defaultBodyContext;
    this.understoodExtensions = init.understoodExtensions ?? new Set();
    this.maxPending = init.maxPendingRequests ?? 1024;
    this.inbound = new KeyedLimiter(init.maxInboundInProgress ?? 256, init.maxInboundPerNeighbour ?? 64);
    this.maxTransmissions = init.maxTransmissions ?? MAX_TRANSMISSIONS;
    this.onSecurityFailure = init.onSecurityFailure;
    this.verification = new MessageVerification(
      { verifier: deps.verifier, clock: deps.clock, log: this.log },
      {
        localNodeId: this.localNodeId,
        certificateSource: init.certificateSource,
        maxLookups: init.maxCertificateLookups,
        lookupTimeoutMs: init.certificateLookupTimeoutMs,
        overlayReliabilityTimerMs: () => deps.forwarding.parameters.overlayReliabilityTimerMs,
      },
    );
    this.sealer = new MessageSealer(deps.signer, deps.forwarding, {
      closed: () => this.closed,
      errorAnswerSent: () => this.counters.errorAnswersSent++,
    });
    this.server = new RequestServer({
      clock: deps.clock,
      log: this.log,
      localNodeId: this.localNodeId,
      forwarding: deps.forwarding,
      sealer: this.sealer,
      inbound: this.inbound,
      bodyContext: this.bodyContext,
      understoodExtensions: this.understoodExtensions,
      understoodOptions: init.understoodForwardingOptions ?? new Set(),
      answerCacheSize: init.answerCacheSize ?? 1024,
      onStaleConfiguration: init.onStaleConfiguration,
      unknownKindError: init.unknownKindError,
      counters: this.counters,
      verify: (msg, parsed) => this.verify(msg, parsed),
      verificationFailed: (msg, parsed, e) => this.verificationFailed(msg, parsed, e),
      closed: () => this.closed,
    });
    deps.forwarding.setDelegate(this);
  }

  // ── Requests we originate (§6.2.1) ────────────────────────────────────────────────────────

  request<K extends RequestName>(destinationList: readonly Destination[], body: RequestBody<K>, options: RequestOptions = NO_REQUEST_OPTIONS): Promise<Answer<AnswerNameFor<K>>> {
    // Not async, so that a request whose signature is made at once goes out at once, and settles
    // with its answer and no other promise; what the checks throw rejects as from an async function.
    try {
      return this.startRequest<K>(destinationList, body, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `request`'s checks, its message and its signature. */
  private startRequest<K extends RequestName>(destinationList: readonly Destination[], body: RequestBody<K>, options: RequestOptions): Promise<Answer<AnswerNameFor<K>>> {
    if (this.closed) throw new AbortError('message transport is closed');
    if (options.signal?.aborted) throw new AbortError();
    if (destinationList.length === 0) throw new RangeError('empty destination list');
    // Before anything waits: a certificate lookup that makes this request (its Fetch) started before.
    const certificateLookupsBefore = this.verification.lookupsStarted();
    if (this.pending.size >= this.maxPending) throw new TransportOverloadError(`${this.pending.size} requests already pending`);
    const p = this.forwarding.parameters;
    // §6.3.2 transaction_id: "they MUST be randomly generated".
    let transactionId = this.newTransactionId();
    while (this.pending.has(transactionId)) transactionId = this.newTransactionId();
    const { code, bytes } = encodeMessageBody(body as MessageBody, this.bodyContext);
    const contents: MessageContents = { messageCode: code, messageBody: bytes, extensions: options.extensions ?? NO_EXTENSIONS };
    const header: EncodingHeader = {
      overlay: p.overlay,
      configurationSequence: options.configurationSequence ?? p.configurationSequence,
      version: RELOAD_VERSION,
      ttl: options.ttl ?? p.initialTtl,
      fragment: UNFRAGMENTED,
      length: 0,
      transactionId,
      maxResponseLength: options.maxResponseLength ?? 0,
      viaList: NO_DESTINATIONS,
      // Copies: forwarding routes every transmission by this header, which must stay what was signed.
      destinationList: destinationList.slice(),
      options: options.forwardingOptions ? options.forwardingOptions.slice() : NO_FORWARDING_OPTIONS,
    };
    const { input, contentsBytes } = this.sealer.signatureInput(header, contents);
    const signature = this.signer.sign(input, options);
    // Sent at once when the signer signs at once (MaybePromise), else once it has signed.
    if (isPending(signature)) return signature.then((s) => this.sendRequest<K>(header, code, contentsBytes, s, options, certificateLookupsBefore));
    return this.sendRequest<K>(header, code, contentsBytes, signature, options, certificateLookupsBefore);
  }

  /** `request`, signed: the message sealed and its ClientTransaction started; settles with the answer. */
  private sendRequest<K extends RequestName>(header: EncodingHeader, code: number, contentsBytes: Uint8Array, signature: Signature, options: RequestOptions, certificateLookupsBefore: number): Promise<Answer<AnswerNameFor<K>>> {
    const message = this.sealer.seal(header, contentsBytes, signature, options.certificates);
    const headerLength = forwardingHeaderSize(header);
    if (this.closed) throw new AbortError('message transport is closed');
    if (options.signal?.aborted) throw new AbortError();
    if (this.pending.size >= this.maxPending) throw new TransportOverloadError(`${this.pending.size} requests already pending`);

    const { transactionId } = header;
    const init: ClientTransactionInit = {
      transactionId,
      requestCode: code,
      destinationList: header.destinationList,
      message,
      header,
      headerLength,
      timerMs: this.forwarding.parameters.overlayReliabilityTimerMs,
      maxTransmissions: this.maxTransmissions,
      anyResponder: options.anyResponder === true,
      certificateLookupsBefore,
    };
    return new Promise<Answer<AnswerNameFor<K>>>((resolve, reject) => {
      const tx = new ClientTransaction<AnyAnswer>(this.clock, init, this, resolve as (a: AnyAnswer) => void, reject);
      this.pending.set(transactionId, tx);
      this.counters.requestsSent++;
      tx.start(options.signal);
    });
  }

  /** ClientTransactionOwner: each transmission of a request goes to forwarding as it was signed. */
  transmitRequest(tx: ClientTransaction<AnyAnswer>): SendResult {
    if (tx.transmissions > 1) this.counters.retransmissions++;
    const { message, header, headerLength } = tx.init;
    const result = header ? this.forwarding.send(message, header, headerLength) : this.forwarding.send(message);
    if (this.traced) {
      this.log.debug('request sent', { method: messageCodeName(tx.init.requestCode), to: describeDestinations(tx.init.destinationList), transactionId: tx.init.transactionId.toString(), transmission: tx.transmissions, ...(result.ok ? {} : { notSent: result.reason }) });
    }
    return result;
  }

  /** ClientTransactionOwner: the transaction is over (answered, failed, timed out or aborted). */
  transactionEnded(tx: ClientTransaction<AnyAnswer>): void {
    if (this.pending.get(tx.init.transactionId) === tx) this.pending.delete(tx.init.transactionId);
    if (this.traced) this.log.debug('request ended', { method: messageCodeName(tx.init.requestCode), transactionId: tx.init.transactionId.toString(), state: tx.state, transmissions: tx.transmissions });
  }

  handle<K extends RequestName>(name: K, handler: RequestHandler<K>): () => void {
    return this.server.handle(name, handler);
  }

  setResponderCheck(check: ResponderCheck | undefined): void {
    this.responderCheck = check;
  }

  stats(): TransportStats {
    return { pendingRequests: this.pending.size, inboundInProgress: this.inbound.inProgress, answerCacheEntries: this.server.answerCacheEntries, ...this.counters, droppedOverload: this.inbound.dropped };
  }

  close(): void {
    this.closed = true;
    this.server.close();
    for (const tx of [...this.pending.values()]) tx.abort('message transport is closed');
  }

  private newTransactionId(): bigint {
    // randomU64's value (eight random bytes, big-endian), read in one step rather than a BigInt per byte.
    TRANSACTION_ID_BYTES.set(this.random.bytes(8));
    return TRANSACTION_ID_VIEW.getBigUint64(0);
  }

  // ── Messages for this node (ForwardingDelegate) ───────────────────────────────────────────

  deliver(message: InboundMessage): void {
    if (this.closed) return;
    let parsed: MessageParts | undefined;
    try {
      // Owned: forwarding hands up bytes it received or reassembled, which nothing changes.
      parsed = parseMessageParts(message.bytes, true, message.headerLength);
    } catch (e) {
      this.onMessageFailed(e);
      return;
    }
    if (!parsed) {
      this.counters.droppedOther++;
      return;
    }
    const code = parsed.contents.messageCode;
    if (isRequestCode(code) && code < 0x8000) {
      const neighbour = message.from ? nodeIdKey(message.from) : 'self';
      // A flood from one link cannot exhaust memory: requests beyond the bounds are dropped before
      // any work (their senders retransmit, §6.2.1).
      if (!this.inbound.admit(neighbour)) return;
      try {
        const done = this.server.process(message, parsed, neighbour);
        if (isPending(done)) done.catch(this.onMessageFailed);
      } catch (e) {
        this.onMessageFailed(e);
      }
      return;
    }
    if (code === MessageCode.error || (code % 2 === 0 && code !== 0 && code < 0x8000)) {
      const tx = this.pending.get(message.header.transactionId);
      if (!tx) {
        this.counters.droppedOther++;
        return;
      }
      try {
        const done = this.onAnswer(message, parsed, tx, tx.transmissions);
        if (isPending(done)) done.catch(this.onMessageFailed);
      } catch (e) {
        this.onMessageFailed(e);
      }
      return;
    }
    // 0 and the reserved 0x8000..0xFFFE are neither (answerForUnknownMessageCode): discard.
    this.counters.droppedOther++;
  }

  routingFailed(failure: RoutingFailure): void {
    if (this.closed) return;
    // Only a request gets an error answer (§6.3.3.1), and only the piece that starts with its
    // message_code can tell: a fragment at offset 0 or a whole message.
    if (fragmentOffset(failure.header.fragment) !== 0 || failure.payload.length < 2) return;
    const code = (failure.payload[0]! << 8) | failure.payload[1]!;
    if (!isRequestCode(code) || code >= 0x8000) return;
    const key = nodeIdKey(failure.from);
    if (!this.inbound.admit(key)) return;
    // An intermediate node does not verify signatures (§6.3.4), so the answer goes to the
    // previous hop and back along the via list as the request came.
    this.sealer
      .sendError(failure.header, failure.from, failure.errorCode, failure.reason)
      .catch((e: unknown) => this.log.warn('could not send an error answer', { error: String(e) }))
      .finally(() => this.inbound.release(key));
  }

  /** §6.3.4: the verified signer of a message for this node; `answering`: for an answer, the request it answers. */
  private verify(msg: InboundMessage, parsed: MessageParts, answering?: Answering): MaybePromise<VerifiedSigner> {
    return this.verification.verify(msg.header, msg.from, parsed.contentsBytes, parsed.securityBlock, answering);
  }

  /** §6.3.4: a message for this node whose signature does not verify is dropped (and reported). */
  private verificationFailed(msg: InboundMessage, parsed: MessageParts, e: unknown): void {
    // §6.3.4: "If the signature fails, the implementation SHOULD simply drop the message and MUST NOT process it."
    this.counters.droppedBadSignature++;
    const { header } = msg;
    const error = e instanceof ReloadError ? e : ReloadError.of('Error_Forbidden', e instanceof Error ? e.message : String(e));
    this.log.info('dropped a message whose signature does not verify', { transactionId: header.transactionId.toString(), error: String(e) });
    const claimedNodeId = originatorOf(header, msg.from, this.localNodeId);
    this.onSecurityFailure?.({ transactionId: header.transactionId, messageCode: parsed.contents.messageCode, from: msg.from, claimedNodeId, error });
  }

  // ── Answers (§6.3.3.1, §6.3.4) ───────────────────────────────────────────────────────────

  /** An answer to pending transaction `tx`; `sentBefore`: the request's transmissions when the answer arrived (its verification may wait). */
  private onAnswer(msg: InboundMessage, parsed: MessageParts, tx: ClientTransaction<AnyAnswer>, sentBefore: number): MaybePromise<void> {
    // §6.3.4: every message for this node is verified before anything else is done with it. Answers
    // are not bounded like requests (KeyedLimiter), so their certificate lookups are limited to
    // the one signer check 1 accepts (mayAnswer) and the bound on lookups.
    let sender: MaybePromise<VerifiedSigner>;
    try {
      sender = this.verify(msg, parsed, { target: tx.target, lookupsBefore: tx.init.certificateLookupsBefore });
    } catch (e) {
      this.verificationFailed(msg, parsed, e);
      return;
    }
    if (isPending(sender)) {
      return sender.then(
        (s) => this.verifiedAnswer(msg, parsed, tx, sentBefore, s),
        (e: unknown) => this.verificationFailed(msg, parsed, e),
      );
    }
    this.verifiedAnswer(msg, parsed, tx, sentBefore, sender);
  }

  /** `onAnswer` once `sender` is verified: the answer taken, or the request failed with the error answer, or dropped. */
  private verifiedAnswer(msg: InboundMessage, parsed: MessageParts, tx: ClientTransaction<AnyAnswer>, sentBefore: number, sender: VerifiedSigner): void {
    if (tx.state !== 'waiting') return;
    const { messageCode, messageBody, extensions } = parsed.contents;
    if (messageCode === MessageCode.error) {
      // OUR READING of §6.3.4 check 1 ("The response to a message sent to a Node-ID MUST have been
      // sent by that Node-ID"): it applies to success answers. Error answers may come from any
      // verified peer on the path (Error_TTL_Exceeded, Error_Loop_Detected … are made by
      // intermediates), and an intermediate could make the request fail by dropping it anyway.
      let body: MessageBody;
      try {
        body = decodeMessageBody(messageCode, messageBody, this.bodyContext, 0, true);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        tx.fail(ReloadError.of('Error_Invalid_Message', `malformed error answer: ${e.message}`));
        return;
      }
      if (body.name === 'error') {
        const error = new ErrorAnswer(body.value, sender.nodeId);
        if (this.traced) this.log.debug('error answer', { transactionId: msg.header.transactionId.toString(), sender: nodeIdKey(sender.nodeId), error: String(error) });
        tx.fail(error);
      }
      return;
    }
    if (!(tx.init.anyResponder && tx.target?.kind === 'resource') && !this.responderAcceptable(tx.target, sender)) {
      // Dropped; the request stays pending and is retransmitted (§6.3.4: "This will cause the
      // response to be rejected and the request to be retransmitted"); check 2's the first time at
      // once (ClientTransaction.answerRejected).
      this.counters.droppedOther++;
      this.log.info('dropped an answer from the wrong node', { transactionId: msg.header.transactionId.toString(), sender: nodeIdKey(sender.nodeId) });
      if (tx.target?.kind === 'resource') tx.answerRejected(sentBefore);
      return;
    }
    // §6.3.3: an unknown critical extension in an answer cannot be answered with an error: discard it.
    if (checkCriticalExtensions(extensions, this.understoodExtensions) !== undefined) {
      this.counters.droppedOther++;
      return;
    }
    if (messageCode !== answerCodeFor(tx.init.requestCode)) {
      tx.fail(ReloadError.of('Error_Invalid_Message', `answer code 0x${messageCode.toString(16)} does not match request 0x${tx.init.requestCode.toString(16)}`));
      return;
    }
    let body: MessageBody;
    try {
      body = decodeMessageBody(messageCode, messageBody, this.bodyContext, 0, true);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      tx.fail(ReloadError.of('Error_Invalid_Message', `malformed answer: ${e.message}`));
      return;
    }
    if (body.name === 'unknown' || body.name === 'error') return;
    this.counters.answersAccepted++;
    if (this.traced) this.log.debug('answer', { name: body.name, transactionId: msg.header.transactionId.toString(), sender: nodeIdKey(sender.nodeId) });
    tx.answer({ name: body.name, value: body.value, extensions, sender, header: msg.header, certificates: parsed.securityBlock.certificates } as AnyAnswer);
  }

  /** §6.3.4 checks 1 and 2 on who may answer a request sent to `target`. */
  private responderAcceptable(target: Destination | undefined, sender: VerifiedSigner): boolean {
    if (!target) return false;
    if (target.kind === 'node') return mayAnswer(sender.nodeId, target);
    if (target.kind === 'resource') return this.responderCheck?.(target.resourceId, sender.nodeId) ?? true;
    return true;
  }
}

/** A destination list for the log: node and resource ids in hex. */
function describeDestinations(list: readonly Destination[]): string {
  return list.map((d) => (d.kind === 'node' ? `node:${nodeIdKey(d.nodeId)}` : d.kind === 'resource' ? `resource:${nodeIdKey(d.resourceId)}` : d.kind)).join(',');
}
